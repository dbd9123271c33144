"""Memos in a REFI-QDA project, both ways.

Export: each shared memo (never a private one) is a `<Note>` whose `<Description>` says it is
one of ours and its type ("pasto-coop memo: theory"), with the text as `<PlainTextContent>`.
What it links to is said where the schema lets it be said:

| Link | REFI-QDA |
|---|---|
| a transcript | `<NoteRef>` in the `<TextSource>` |
| a passage (annotation) | a `<PlainTextSelection>` with no Coding in the `<TextSource>`, named |
| | after its quote, with a `<NoteRef>` to the Note |
| an excerpt | `<NoteRef>` in the excerpt's `<PlainTextSelection>` |
| a theme | `<NoteRef>` in the `<Code>` |
| another memo | `<NoteRef>` inside the Note |
| a participant | `<Link originGUID="note" targetGUID="case">` (a Case has no NoteRef) |

A passage is not written as a selection inside the Note, QualCoder's way: the standard reads a
Note's selections as positions in the Note's own text, and validate.py --strict refuses them.

Import: every Note becomes a memo unless the file uses it for something else (an excerpt's or a
theme's own memo text, the project's description). A codeless selection noted with one of our
Notes is that memo's passage. QualCoder's annotations hold their selection inside the Note, with a
NoteRef from the TextSource it lies in: they are read as passages of that source (the one whose
words match the selection's name, if several refer to the Note). QualCoder's journal (a Note
with a plainTextPath, referred to by nothing) becomes a memo of the journal.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt
from exchange.refi import guid, xml_datetime
from memos.models import Memo, MemoSpan, MemoType

MEMO_MARK = "pasto-coop memo:"


def note_guid(memo_pk):
    return guid("memo-note", memo_pk)


def memos_for_export(study, withheld_ids=()):
    """Export: the study's shared, live memos with their links. Seven queries. A memo linked in
    any way (transcript, passage, excerpt or participant) to a participant in `withheld_ids`
    (left out for consent) is left out with them: its words may quote or describe them."""
    memos = Memo.objects.filter(study=study, deleted_at__isnull=True, private=False)
    if withheld_ids:
        withheld = list(withheld_ids)
        memos = (memos.exclude(participants__in=withheld).exclude(transcripts__participant__in=withheld)
                 .exclude(spans__transcript__participant__in=withheld)
                 .exclude(excerpts__transcript__participant__in=withheld))
    return list(
        memos.order_by("pk")
        .prefetch_related("transcripts", "themes", "participants", "excerpts",
                          Prefetch("linked_memos", queryset=Memo.objects.filter(deleted_at__isnull=True,
                                                                                private=False)),
                          Prefetch("spans", queryset=MemoSpan.objects.order_by("pk")))
    )


class MemoExport:
    """The memos' notes, and the NoteRefs and Links the rest of the export writes."""

    def __init__(self, memos, users, *, tag, element):
        # `tag` and `element` are qdpx_export's XML writers (it imports this module).
        self.source_refs, self.excerpt_refs, self.theme_refs, self.selections = {}, {}, {}, {}
        self.notes, self.links = [], []
        for memo in memos:
            note = note_guid(memo.pk)
            created = xml_datetime(memo.created_at)
            user = users[memo.author_id] if memo.author_id else None
            for t in memo.transcripts.all():
                self.source_refs.setdefault(t.pk, []).append(note)
            for span in memo.spans.all():
                self.selections.setdefault(span.transcript_id, []).append(
                    tag("PlainTextSelection", {"guid": guid("memo-span", span.pk), "name": span.quote,
                                               "startPosition": span.start, "endPosition": span.end,
                                               "creatingUser": user, "creationDateTime": created})
                    + tag("NoteRef", {"targetGUID": note}, close=True) + "</PlainTextSelection>")
            for p in memo.participants.all():
                self.links.append(tag("Link", {"guid": guid("memo-link", memo.pk, "p", p.pk), "name": "memo",
                                               "originGUID": note,
                                               "targetGUID": guid("participant", p.pk)}, close=True))
            for e in memo.excerpts.all():
                self.excerpt_refs.setdefault(e.pk, []).append(note)
            for t in memo.themes.all():
                self.theme_refs.setdefault(t.pk, []).append(note)
            parts = [tag("Note", {"guid": note, "name": memo.title, "creatingUser": user,
                                  "creationDateTime": created}),
                     element("Description", {}, f"{MEMO_MARK} {memo.type}"),
                     element("PlainTextContent", {}, memo.body)]
            parts += [tag("NoteRef", {"targetGUID": note_guid(m.pk)}, close=True)
                      for m in memo.linked_memos.all()]
            self.notes.append("".join(parts) + "</Note>")


def is_memo_note(project, key):
    note = project.notes.get(key)
    return note is not None and note.description.strip().startswith(MEMO_MARK)


def _memo_type(note):
    if note.description.strip().startswith(MEMO_MARK):
        value = note.description.strip()[len(MEMO_MARK):].strip()
        if value in MemoType.values:
            return value
    return MemoType.FREE


def memos_import(importer):
    """Every Note not used for something else becomes a memo of the new study, with its links.
    Runs after sources and excerpts are in (importer.read_sources, importer.memo_selection_refs)."""
    project, study, report = importer.project, importer.study, importer.report
    referring = {}  # note guid -> [(kind, guid)]
    for source in project.sources:
        for ref in source.note_refs:
            referring.setdefault(ref, []).append(("source", source.guid))
    for code in project.codes:
        for ref in code.note_refs:
            referring.setdefault(ref, []).append(("code", code.guid))
    for origin, target in project.links:
        referring.setdefault(origin, []).append(("link", target))
    memos = {}
    for key, note in project.notes.items():
        ours = is_memo_note(project, key)
        if key in importer.used_notes and not ours:
            continue  # an excerpt's or theme's own memo, or the study's description
        text = importer.note_text(key) or ""
        title = (note.name.strip() or text.strip().split("\n", 1)[0][:60] or "Note")[:200]
        author = importer.users.get(note.user) or importer.user
        memo = Memo(study=study, title=title, body=text, type=_memo_type(note), author=author)
        memo.full_clean()
        memo.save()
        if note.created:
            Memo.objects.filter(pk=memo.pk).update(created_at=note.created)
        memos[key] = memo
        importer.used_notes.add(key)
        report.imported["study_memos"] += 1
        refs = referring.get(key, [])
        ref_sources = [g for kind, g in refs if kind == "source" and g in importer.read_sources]
        span_sources = set()
        for ref, transcript, start, end in importer.memo_span_refs:
            if ref == key:
                MemoSpan.objects.create(study=study, memo=memo, transcript=transcript, start=start, end=end,
                                        quote=transcript.text[start:end])
        for sel in note.selections:  # QualCoder's annotations
            found = _note_span(importer, sel, ref_sources)
            if found is None:
                report.skip("memo_span", _("Passages of notes that lie in no imported text were skipped."),
                            f"{title} {sel.start}–{sel.end}")
                continue
            transcript, start, end = found
            span_sources.add(transcript.pk)
            MemoSpan.objects.create(study=study, memo=memo, transcript=transcript, start=start, end=end,
                                    quote=transcript.text[start:end])
        transcripts = {importer.read_sources[g][0].pk for g in ref_sources} - span_sources
        for kind, target in refs:
            if kind == "link" and target in importer.read_sources:
                transcripts.add(importer.read_sources[target][0].pk)
            elif kind == "link" and target in importer.case_participants:
                memo.participants.add(importer.case_participants[target])
            elif kind in ("code", "link") and target in importer.themes:
                memo.themes.add(importer.themes[target])
        memo.transcripts.add(*transcripts)
    for key, memo in memos.items():
        linked = [memos[ref] for ref in project.notes[key].note_refs if ref in memos and ref != key]
        linked += [memos[origin] for origin, target in project.links if target == key and origin in memos
                   and origin != key and not is_memo_note(project, origin)]
        memo.linked_memos.add(*linked)
    for key, transcript_id, start, end in importer.memo_selection_refs:
        if key in memos:
            memos[key].excerpts.add(*CodedExcerpt.objects.filter(study=study, transcript_id=transcript_id,
                                                                 start=start, end=end))


def _note_span(importer, sel, ref_sources):
    """(transcript, start, end) of a note's selection: in the source whose text at those
    positions is the selection's name, else the first source that refers to the note."""
    if sel.start is None or sel.end is None:
        return None
    candidates = []
    for source_guid in ref_sources:
        transcript, text, reading = importer.read_sources[source_guid]
        start, end = importer.span(text, reading, min(sel.start, sel.end), max(sel.start, sel.end))
        if start is not None and end is not None and start < end:
            candidates.append((transcript, start, end))
            if sel.name and transcript.text[start:end] == sel.name:
                return transcript, start, end
    return candidates[0] if candidates else None
