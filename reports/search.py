"""Search across transcripts, ignoring case and accents: "migracion" finds "migración".

One matcher decides every hit, on every database: `Matcher` scans a transcript's stored text
with a regular expression in which each letter of the query stands for itself with any accent,
in either case. Hits are therefore exact code-point offsets into the stored text, which is what
an excerpt needs, and the rules are the same on PostgreSQL and SQLite.

Which transcripts get scanned is where the databases differ:
- PostgreSQL narrows them with its text search: the GIN index on pasto_search_vector(text)
  (migration 0006: the text's words, unaccented and lower-cased) returns the transcripts that
  contain every query word; only those are scanned. Its words are the same letter-and-digit runs
  the matcher sees, so the narrowing never drops a transcript with a hit.
- SQLite scans every transcript (a study there is small; 13 interviews scan in a few ms).

Words are searched by their lemma in the transcripts whose language has one (Spanish and English,
interviews.lemmas): `joven` finds "jóvenes", `mujer` "mujeres", `desplazado` "desplazadas". The
lemma picks forms, not hits: `word_forms` looks up, in one query, every form of the study with
the query word's lemma (the WordForm table, kept when a transcript's text is saved), and the
matcher then scans for the word or any of those forms, with the same accent and case folding
and exact offsets. A "quoted" word or phrase, and a prefix (migra*), stay exact.

Query syntax: words and "quoted phrases". A transcript must contain every word and phrase;
each occurrence of any of them is a hit. A word matches whole words only; end it with * to match
word beginnings (migra* finds migración and migrantes). Punctuation inside a phrase is
ignored: "forced inland migration" also finds "forced, inland migration".
"""

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from interviews.lemmas import LEMMA_LANGUAGES, lemma, lemma_language
from interviews.models import Transcript, WordForm
from interviews.text import BASE_OF, MARKS, MARKS_RE, VARIANTS, fold
from reports.queries import counts_q

_WORD = re.compile(r"\w+")
_TERM = re.compile(r'"([^"]*)"?|(\S+)')

def _letter_pattern(ch):
    base = BASE_OF.get(ch)
    if base is not None:
        chars = VARIANTS[base]
    else:
        chars = "".join(sorted({ch, ch.lower(), ch.upper()} - {""} if len(ch.upper()) == 1 else {ch}))
    body = re.escape(chars[0]) if len(chars) == 1 else f"[{re.escape(chars)}]"
    return f"{body}[{MARKS}]*"


def _is_word_char(ch):
    return ch.isalnum() or ch == "_" or "\u0300" <= ch <= "\u036f"


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query: its words (NFC, accents kept), whether the last one is
    a prefix (ended with *), whether it was quoted, and the other forms a bare word stands for
    (folded; with_forms)."""

    words: tuple
    prefix: bool = False
    quoted: bool = False
    forms: tuple = ()

    @property
    def by_lemma(self):
        """A bare word, neither quoted nor a prefix: searched by its lemma, where the transcript's
        language has one. Quoted words and phrases stay exact."""
        return len(self.words) == 1 and not self.prefix and not self.quoted

    def with_forms(self, forms):
        return Term(self.words, self.prefix, self.quoted, tuple(sorted(set(forms) - {fold(self.words[0])})))

    def __str__(self):
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


def parse_query(query):
    """The terms of a query: quoted phrases and bare words. Punctuation is dropped, so a term is
    made of \\w+ runs; a term with no word in it is ignored."""
    query = unicodedata.normalize("NFC", query or "")
    terms = []
    for phrase, word in _TERM.findall(query):
        raw = phrase if phrase else word
        words = tuple(_WORD.findall(MARKS_RE.sub("", unicodedata.normalize("NFD", raw))))
        words = tuple(unicodedata.normalize("NFC", w) for w in words)
        if words:
            terms.append(Term(words=words, prefix=raw.rstrip().endswith("*"), quoted=bool(phrase)))
    return list(dict.fromkeys(terms))


def _cp1252_tables():
    """For texts that encode as cp1252 (one byte per code point, so byte offsets are code-point
    offsets): a byte table folding case and accents to the ASCII base letter exactly as
    BASE_OF does, and the bytes that are word characters for Python's \\w."""
    fold, word = bytearray(range(256)), bytearray()
    for byte in range(256):
        try:
            ch = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
        if ch in BASE_OF:
            fold[byte] = ord(BASE_OF[ch])
        if re.match(r"\w", ch):
            word.append(byte)
    return bytes(fold), re.escape(bytes(word))


_FOLD_1252, _WORD_1252 = _cp1252_tables()
# Latin-1 agrees with cp1252 except at 0x80-0x9F, where it has the C1 control characters (not
# word characters, not newlines) and cp1252 has letters and punctuation. Folding those bytes to
# 0x81, a byte no cp1252 text has and no pattern matches except as a non-word character, lets the
# same patterns scan a text encoded as Latin-1, which for a string of code points below 256 (most
# Spanish and English transcripts) is a copy, several times faster than the cp1252 codec.
_FOLD_LATIN1 = _FOLD_1252[:0x80] + b"\x81" * 0x20 + _FOLD_1252[0xA0:]


class Matcher:
    """Finds a query's terms in texts. Case and accents are ignored; whole words only, except a
    term's last word when it ends with *.

    Two ways to scan, with the same rules (tests/test_search.py checks they agree):
    - any text: a regular expression in which each letter is the class of its accented forms
      in both cases, then any combining accents. About 10 ms per million characters.
    - a text that encodes as Latin-1 or cp1252 (most Spanish and English transcripts): its bytes
      folded by a translation table, then a plain literal search. Several times faster, and one
      byte is one code point, so offsets need no conversion. Latin-1 is tried first: for a text
      with no code point above 255 its encoding is a copy, where cp1252's codec costs more than
      the scan itself.
    In both, the pattern starts with the word itself rather than a look-behind, so the regex
    engine can skip ahead; the word-start check is done here, retrying one character later.
    """

    def __init__(self, terms):
        self.terms = list(terms)
        self._patterns = [self._compile(term) for term in self.terms]
        folded = [self._fold_term(term) for term in self.terms]
        self._fast = None if None in folded else [self._compile_fast(term, words)
                                                  for term, words in zip(self.terms, folded, strict=True)]

    @staticmethod
    def _compile(term):
        words = ["".join(_letter_pattern(ch) for ch in word) for word in term.words]
        if term.forms:  # the word or any other form of its lemma
            words = ["(?:" + "|".join(["".join(_letter_pattern(ch) for ch in form)
                                       for form in (term.words[0], *term.forms)]) + ")"]
        pattern = f"[^\\w\\n{MARKS}]+".join(words)
        pattern += f"[\\w{MARKS}]*" if term.prefix else f"(?![\\w{MARKS}])"
        return re.compile(pattern)

    @staticmethod
    def _fold_term(term):
        """The term's words folded to ASCII bytes as patterns, or None if a character has no ASCII base
        (the fast scan could not match it the way the full one does)."""
        words = []
        for word in term.words:
            folded = "".join(BASE_OF.get(ch, ch) for ch in word)
            if not folded.isascii() or any(ch.isalpha() and ch not in BASE_OF for ch in word):
                return None
            words.append(folded.encode("ascii"))
        if term.forms:  # one alternation: the word or any other form of its lemma
            if not all(form.isascii() for form in term.forms):
                return None
            forms = (words[0], *(form.encode("ascii") for form in term.forms))
            return [b"(?:" + b"|".join(re.escape(form) for form in forms) + b")"]
        return [re.escape(word) for word in words]

    @staticmethod
    def _compile_fast(term, words):
        separator = b"[^" + _WORD_1252 + b"\n]+"
        pattern = separator.join(words)
        pattern += (b"[" + _WORD_1252 + b"]*") if term.prefix else (b"(?![" + _WORD_1252 + b"])")
        return re.compile(pattern)

    @staticmethod
    def _spans(pattern, text, is_word, phrase):
        if not phrase:
            # A match made only of word characters cannot hide a hit that starts inside it, so
            # a plain finditer, dropping matches that start inside a word, finds them all.
            return [m.span() for m in pattern.finditer(text)
                    if not (m.start() and is_word(text[m.start() - 1]))]
        spans, pos, length = [], 0, len(text)
        while pos < length:
            found = pattern.search(text, pos)
            if found is None:
                break
            start = found.start()
            if start and is_word(text[start - 1]):
                pos = start + 1  # inside a word: a hit may still start at a later word in the match
                continue
            spans.append((start, found.end()))
            pos = found.end()
        return spans

    def hits(self, text):
        """Every (start, end, term index) in `text`, in text order; none unless every term
        occurs at least once."""
        patterns, subject, is_word = self._patterns, text, _is_word_char
        if self._fast is not None:
            folded = _fold_bytes(text)
            if folded is not None:
                patterns, subject, is_word = self._fast, folded, _WORD_BYTES.__contains__
        return self._scan(patterns, subject, is_word)

    def slow_hits(self, text):
        """`hits` without the cp1252 fast path (for tests that compare the two)."""
        return self._scan(self._patterns, text, _is_word_char)

    def _scan(self, patterns, subject, is_word):
        found = []
        for index, pattern in enumerate(patterns):
            spans = self._spans(pattern, subject, is_word, len(self.terms[index].words) > 1)
            if not spans:
                return []
            found.extend((start, end, index) for start, end in spans)
        found.sort()
        return found


_WORD_BYTES = frozenset(re.sub(rb"\\(.)", rb"\1", _WORD_1252))


def _fold_bytes(text):
    """`text` as one byte per code point, folded (_FOLD_1252), or None if it has a character
    neither Latin-1 nor cp1252 has."""
    try:
        return text.encode("latin-1").translate(_FOLD_LATIN1)
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("cp1252").translate(_FOLD_1252)
    except UnicodeEncodeError:
        return None


# ----- Which transcripts to scan, and what a hit shows -----

# Words PostgreSQL's parser is sure to index as one word: Latin letters and digits only. Any
# other word is left to the exact scan (leaving a word out of the narrowing only widens it).
_INDEXABLE = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff]+")
KWIC_WIDTH = 70


def _text_search_sql(terms, lexicon=None):
    """The tsquery for every indexable word of `terms`, ANDed, as SQL and parameters. A word
    searched by its lemma asks for any of its forms (ORed) in any language of the lexicon."""
    parts, params = [], []
    for index, term in enumerate(terms):
        forms = {form for expanded in (lexicon or {}).values() for form in expanded[index].forms}
        if forms and all(_INDEXABLE.fullmatch(form) for form in forms):
            words = [term.words[0], *sorted(forms)]
            one = "plainto_tsquery('public.pasto_unaccent', %s)"
            parts.append("(" + " || ".join([one] * len(words)) + ")")
            params.extend(words)
            continue
        for i, word in enumerate(term.words):
            if forms or not _INDEXABLE.fullmatch(word):
                continue
            if term.prefix and i == len(term.words) - 1:
                parts.append("to_tsquery('public.pasto_unaccent', %s)")
                params.append(f"{word}:*")
            else:
                parts.append("plainto_tsquery('public.pasto_unaccent', %s)")
                params.append(word)
    return " && ".join(parts), params


def word_forms(study, terms):
    """The lexicon of a search: for each language searched by lemma (interviews.lemmas), the
    query's terms, each bare word with the other forms of its lemma found in `study`'s
    transcripts of that language. One query (none when no word is bare). The lemma comes from
    the word as typed and, so that a word typed without its accents still finds its lemma
    ("jovenes"), from the study's own forms that fold to it."""
    bare = [term for term in terms if term.by_lemma]
    if not bare:
        return {}
    typed = {fold(term.words[0]) for term in bare}
    lemmas = {lemma(term.words[0], language) for term in bare for language in LEMMA_LANGUAGES}
    # Every form whose lemma is the lemma of a form typed or a lemma of a word typed. Each
    # lookup names the study and the languages and is one index search (wordform_unique for the
    # forms, wordform_lemma_form for the lemmas, both covering), on PostgreSQL and on SQLite without
    # statistics alike: the two lookups are a UNION, not an OR, which SQLite would scan for;
    # no ordering, so no join to the study for its name.
    here = WordForm.objects.filter(study=study, language__in=LEMMA_LANGUAGES).order_by()
    wanted = here.filter(form__in=typed).values("lemma").union(here.filter(lemma__in=lemmas).values("lemma"))
    rows = list(here.filter(lemma__in=wanted).values_list("language", "form", "lemma"))
    lexicon = {}
    for language in LEMMA_LANGUAGES:
        rows_here = [(form, lem) for lang, form, lem in rows if lang == language]
        expanded = []
        for term in terms:
            if term.by_lemma:
                word = fold(term.words[0])
                wanted = {lemma(term.words[0], language)} | {lem for form, lem in rows_here if form == word}
                term = term.with_forms(form for form, lem in rows_here if lem in wanted)
            expanded.append(term)
        lexicon[language] = expanded
    return lexicon


def transcripts_for_search(study, terms, lexicon=None):
    """Search page: the transcripts of `study` to scan for `terms`, texts included, in report
    order (participant code, title). One query. Only participants who count (consent given, not
    withdrawn) are searched. On PostgreSQL, coding_transcript_words (migration 0006) keeps only
    transcripts that contain every indexable query word; the study filter applies to both."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    transcripts = (
        Transcript.objects.filter(counts_q("participant__"), study=study)
        .select_related("participant")
        .only("pk", "title", "text", "interview_date", "language", "participant__code",
              "participant__consent_scope")
        .order_by("participant__code", "title", "pk")
    )
    if connection.vendor == "postgresql":
        sql, params = _text_search_sql(terms, lexicon)
        if sql:
            stored = f"SELECT transcript_id FROM coding_transcript_words WHERE words @@ ({sql})"
            transcripts = transcripts.filter(pk__in=RawSQL(stored, params))
    return transcripts


class Hit(NamedTuple):
    """A hit: a tuple, because a common word has tens of thousands of them."""

    transcript: object
    start: int
    end: int
    term: int

    @property
    def key(self):
        """How a hit travels in a form: transcript:start:end (code points)."""
        return f"{self.transcript.pk}:{self.start}:{self.end}"


class SearchResults(Sequence):
    """Every hit, in transcript order then text order. A common word has tens of thousands of
    hits and a page shows 50, so hits are kept as each transcript's spans and a Hit is built
    only when asked for (a Paginator slices out its page)."""

    def __init__(self, found):
        self._found = [(transcript, spans) for transcript, spans in found if spans]
        self._ends = list(accumulate(len(spans) for _transcript, spans in self._found))

    def __len__(self):
        return self._ends[-1] if self._ends else 0

    @property
    def transcript_count(self):
        return len(self._found)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        row = bisect_right(self._ends, index)
        transcript, spans = self._found[row]
        return Hit(transcript, *spans[index - (self._ends[row - 1] if row else 0)])

    def __iter__(self):
        for transcript, spans in self._found:
            for start, end, term in spans:
                yield Hit(transcript, start, end, term)


def search(terms, transcripts, lexicon=None):
    """Every hit of `terms` in `transcripts` (SearchResults). With a lexicon (word_forms), each
    transcript is scanned for the forms of its own language; else every word exactly."""
    lexicon = lexicon or {}
    matchers = {}

    def matcher_for(transcript):
        language = lemma_language(transcript.language)
        language = language if language in lexicon else None
        if language not in matchers:
            matchers[language] = Matcher(lexicon[language] if language else terms)
        return matchers[language]

    return SearchResults((transcript, matcher_for(transcript).hits(transcript.text))
                         for transcript in transcripts)


def paragraph_starts(text):
    """Where each paragraph (non-empty line) starts."""
    starts, pos = [], 0
    for line in text.split("\n"):
        if line:
            starts.append(pos)
        pos += len(line) + 1
    return starts


def kwic(text, start, end, starts=None, width=KWIC_WIDTH):
    """A keyword-in-context line for text[start:end]: (before, match, after, paragraph number),
    the context cut to the hit's own paragraph and to whole words."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left = max(line_start, start - width)
    right = min(line_end, end + width)
    before, after = text[left:start], text[end:right]
    if left > line_start and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if right < line_end and " " in after:
        after = after[: after.rindex(" ")] + "…"
    starts = paragraph_starts(text) if starts is None else starts
    return before, text[start:end], after, bisect_right(starts, start)
