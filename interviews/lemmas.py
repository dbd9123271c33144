"""Word forms and their lemmas, for Spanish-aware search: "joven" finds "jóvenes", "mujer" finds
"mujeres", "desplazado" finds "desplazadas".

Stemming cannot do this (Snowball reduces "joven" to "jov" and "jóvenes" to "joven"); a
lemmatiser can. simplemma ships its dictionaries, needs no network and no model download, and
gives both words the lemma "joven". Each transcript's distinct words are stored with their lemma
(WordForm, per study and language) when its text is saved; a search looks up the lemma of each
query word, then every form of the study with that lemma, and scans the texts for those forms
(reports.search). Transcripts in a language simplemma is not used for are searched exactly.
"""

import re
import unicodedata

from interviews.text import fold

# Languages whose transcripts are searched by lemma. Each dictionary takes about a second to
# load, once per process.
LEMMA_LANGUAGES = ("es", "en")
MAX_FORM = 100  # WordForm.form's max_length; longer "words" are not words anyone searches for
_WORD = re.compile(r"[^\W\d_]+")


def lemma_language(tag):
    """The lemmatiser's language for a language tag (es-CO -> es), or None."""
    primary = (tag or "").split("-")[0].split("_")[0].lower()
    return primary if primary in LEMMA_LANGUAGES else None


def lemma(word, language):
    """The folded lemma of `word` (accents as written) in `language`."""
    import simplemma

    return fold(simplemma.lemmatize(word.lower(), lang=language))


def forms_of(text, language):
    """{(form, lemma)}: each distinct word of `text` folded, with its folded lemma. A word is a
    run of letters (combining accents stay with it); one folded form may have several lemmas
    when its spellings differ ("jovenes" and "jóvenes")."""
    words = {w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text)) if len(w) <= MAX_FORM}
    pairs = set()
    for word in words:
        folded = fold(word)
        if len(folded) <= MAX_FORM:
            pairs.add((folded, lemma(word, language)[:MAX_FORM]))
    return pairs


def word_forms_update(transcripts):
    """Add the word forms of `transcripts` that their study does not have yet (bulk paths call
    this; a transcript's save does it through the post_save receiver in interviews.apps)."""
    from interviews.models import WordForm

    for transcript in transcripts:
        language = lemma_language(transcript.language)
        if language is None:
            continue
        pairs = forms_of(transcript.text, language)
        known = set()
        forms = sorted({form for form, _lemma in pairs})
        for i in range(0, len(forms), 500):
            known.update(WordForm.objects.filter(
                study_id=transcript.study_id, language=language, form__in=forms[i:i + 500]
            ).values_list("form", "lemma"))
        WordForm.objects.bulk_create(
            [WordForm(study_id=transcript.study_id, language=language, form=form, lemma=lem)
             for form, lem in sorted(pairs - known)],
            batch_size=500, ignore_conflicts=True,
        )


def transcript_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields is not None and not {"text", "language"} & set(update_fields):
        return
    word_forms_update([instance])
