"""Import a REFI-QDA project (.qdpx, .qde) or codebook (.qdc) as a new study: one transaction.

Reading and safety checks are in `qdpx_read`, offsets in `textmap`. This module maps records to
rows and writes the report. What maps where:

- Project -> a new study, named after the project (or as the importer chooses), with the
  importer as its owner and the project's Description as its description. Nothing of any other
  study is read or changed.
- Users -> user accounts, matched by username; new ones get no password, and no user but the
  importer becomes a member of the study.
- Codes -> themes; codes with the same name under the same parent become one theme. Criteria
  come back out of the Description and kinds out of the kind Sets (exchange.refi); other Sets
  cannot be mapped and are reported.
- Cases -> participants, by code; variables -> pseudonymous attributes. A source no case
  claims gets a participant of its own, named after it. A case's SourceRef that names no
  source (QualCoder points it at the file name's GUID) is matched to a source by name, and
  reported.
- Other variables -> the study's own attributes, typed by typeOfVariable (Integer and Float
  numbers, Date, Boolean yes/no, Text; a Text variable whose Description carries our choice
  list becomes a choice attribute again), their values on the participant or the transcript.
- TextSources -> transcripts (text normalised, offsets moved with it).
- Selections with Codings -> excerpts, one per span and coder (the coder is the Coding's user,
  else the selection's), with every coded theme. Memos come from selection and Coding
  descriptions, NoteRefs and Links.

Every excerpt is validated as `excerpt_create` would (quote == text[start:end] unless flagged for
review), then written in batches (`_excerpts_insert`): `excerpt_create` costs about six queries
an excerpt, which turns a 100,000-excerpt restore into many minutes. Batched writes send no
model signals, so the history log records the import's participants, transcripts and themes
but not each imported excerpt.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from coding.forms import PALETTE
from coding.models import CodedExcerpt, ReviewReason, Theme, ThemeKind
from exchange.import_report import ImportReport
from exchange.qdpx_export import CHOICES_MARK
from exchange.qdpx_memos import is_memo_note, memos_import
from exchange.qdpx_read import ExchangeError, project_read
from exchange.refi import (
    KIND_SET_NAME,
    NOT_XML,
    description_parse,
    second_language_parse,
    study_description_parse,
)
from exchange.textmap import SourceText, choose_reading, decode
from interviews.attributes import parse_value
from interviews.models import (
    Attribute,
    AttributeTarget,
    AttributeType,
    ConsentScope,
    Participant,
    Transcript,
)
from interviews.services import attribute_create, attribute_value_store
from memos.models import Memo, MemoSpan
from studies.models import RESERVED_SLUGS, Study
from studies.services import study_create
from studies.signals import rows_bulk_written

User = get_user_model()
CONSENT_FIELDS = ("consent_given", "consent_date", "consent_scope", "consent_withdrawn_on")
# Every other variable (sector, gender, organisation…) becomes one of the study's own attributes.
PARTICIPANT_FIELDS = {# consent, as our export writes it (qdpx_export.CONSENT_VARIABLES)
                      "consent_given": "consent_given", "consent_date": "consent_date",
                      "consent_scope": "consent_scope", "consent_withdrawn_on": "consent_withdrawn_on"}
TRANSCRIPT_FIELDS = ("interview_date", "language", "source_filename")
@dataclass
class _Group:
    """The excerpt one (span, coder) becomes."""
    coder_id: int
    themes: set = field(default_factory=set)
    memos: list = field(default_factory=list)
    created: object = None
    quote: str = ""
    review: bool = False


def _username(name, key):
    cleaned = re.sub(r"[^\w.@+-]+", "_", name.strip()).strip("_")[:150]
    return cleaned or f"user-{key[:8]}"


def _colour(value):
    """#rrggbb from #rgb, #rrggbb or #rrggbbaa (alpha dropped), or None."""
    digits = value.strip().lstrip("#")
    if not re.fullmatch(r"[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}", digits):
        return None
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits[:6]


class _Importer:
    """Writes one project into `study`, a study the import has just created: every row it
    makes names that study, and it reads nothing of any other."""

    def __init__(self, project, study, user, report, progress):
        self.project, self.study, self.user = project, study, user
        self.report, self.progress = report, progress
        self.from_us = project.origin.lower().startswith("pasto-coop")
        self.users, self.themes, self.used_notes = {}, {}, set()
        self.source_participant, self.source_variables = {}, {}
        self.participants = {}  # code -> participant
        self.custom_attributes = {}  # (name folded, target) -> Attribute
        self.languages = Counter()  # transcripts per language
        self.case_participants = {}  # case guid -> participant
        self.read_sources = {}  # source guid -> (transcript, SourceText, reading), for memos
        self.memo_selection_refs = []  # (memo note guid, transcript id, start, end): excerpt links
        self.memo_span_refs = []  # (memo note guid, transcript, start, end): a memo's passages
        self.links = {}  # selection guid -> guids of Notes linked to it (NVivo annotations)
        for origin, target in project.links:
            self.links.setdefault(target, []).append(origin)

    def run(self):
        self.users_import()
        self.themes_import()
        self.cases_import()
        self.sources_import()
        self.study_describe()
        memos_import(self)
        self.leftovers_report()

    def study_describe(self):
        """The project's description and notes describe the study; the language most of its
        transcripts are in is the study's."""
        description, language = study_description_parse(self.project.description)
        parts = [description.strip()]
        parts += [(self.note_text(ref) or "").strip() for ref in self.project.note_refs]
        self.study.description = "\n\n".join(p for p in parts if p)
        if language:  # written by pasto-coop (exchange.refi.study_description_compose)
            self.study.language = language[:20]
        elif self.languages:
            self.study.language = self.languages.most_common(1)[0][0]
        if self.study.description or language or self.languages:
            self.study.full_clean()
            self.study.save(update_fields=["description", "language"])

    # ----- users -----

    def users_import(self):
        by_name = {}
        wanted = {_username(name, key) for key, name in self.project.users.items()}
        existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
        for key, name in self.project.users.items():
            username = _username(name, key)
            if username in by_name:
                self.users[key] = by_name[username]
                continue
            user = existing.get(username)
            if user is not None:
                self.report.merged["users"] += 1
            else:
                user = User(username=username)
                user.set_unusable_password()
                user.full_clean()
                user.save()
                self.report.imported["users"] += 1
            by_name[username] = self.users[key] = user
        if self.project.creating_user and self.project.creating_user not in self.users:
            self.report.skip("project_user", _("The project's creating user is not among the file's "
                                               "users; the reference was ignored."))

    def coder(self, *keys):
        for key in keys:
            if key in self.users:
                return self.users[key]
        unknown = [key for key in keys if key]
        if unknown:
            self.report.unmap("coder", _("Codings by a user the file does not list were "
                                         "attributed to the importing user."), unknown[0])
        return self.user

    # ----- themes -----

    def note_text(self, key):
        note = self.project.notes.get(key)
        if note is None:
            return None
        self.used_notes.add(key)
        if note.content is not None:
            return note.content
        if note.plain_text_path.startswith("internal://") and self.project.archive:
            data = self.project.archive.source(note.plain_text_path)
            if data is not None:
                return decode(data)[0]
        return None

    def themes_import(self):
        kinds = {}
        for s in self.project.sets:
            kind = next((k for k in ThemeKind.values if s.name == KIND_SET_NAME.format(kind=k)), None)
            if kind:
                s.used = True
                kinds.update(dict.fromkeys(s.codes, kind))
        cases = {c.guid for c in self.project.cases}
        existing, next_order = {}, {}
        for index, code in enumerate(self.project.codes):
            if code.guid in cases:
                self.report.unmap("case_node", _("Codes that are NVivo case nodes were not "
                                                 "imported as themes."), code.name)
                continue
            parent = self.themes.get(code.parent)
            name = (code.name.strip() or f"Code {code.guid[:8]}")[:120]
            key = (parent.pk if parent else None, name)
            if key in existing:
                self.themes[code.guid] = existing[key]
                self.report.tolerate(_("Codes with the same name under the same parent were "
                                       "merged into one theme."))
                continue
            text, second, _tag = second_language_parse(code.description)
            description, inclusion, exclusion = description_parse(text)
            theme = Theme(
                study=self.study, name=name, parent=parent, colour=self.theme_colour(code, index),
                kind=kinds.get(code.guid) or (parent.kind if parent else ThemeKind.ANALYTIC),
                description=description, inclusion_criteria=inclusion, exclusion_criteria=exclusion,
                order=next_order.get(key[0], 0), is_codable=code.codable, **second,
            )
            for ref in code.note_refs:  # a memo on a code (NVivo, QualCoder): part of its description
                if is_memo_note(self.project, ref):
                    continue  # one of our memos, linked to the theme (exchange.qdpx_memos)
                text = self.note_text(ref)
                if text and text.strip():
                    theme.description = f"{theme.description}\n\n{text.strip()}".strip()
            theme.full_clean()
            theme.save()
            next_order[key[0]] = theme.order + 1
            existing[key] = self.themes[code.guid] = theme
            self.report.imported["themes"] += 1

    def theme_colour(self, code, index):
        colour = _colour(code.color)
        if colour and len(code.color.lstrip("#")) == 8:
            self.report.tolerate(_("Colours with an alpha channel (#rrggbbaa) lost their alpha."))
        if colour:
            return colour
        if code.color:
            self.report.unmap("colour", _("Unreadable colours were replaced by palette colours."),
                              code.color)
        else:
            self.report.tolerate(_("Codes with no colour were given palette colours."))
        return PALETTE[index % len(PALETTE)]

    # ----- participants -----

    def attributes(self, values, owner):
        """Participant and transcript fields from variable values; the rest is reported."""
        found = {}
        for ref, value in values:
            name = self.project.variables.get(ref, ("", ""))[0].strip().lower().replace(" ", "_")
            target = PARTICIPANT_FIELDS.get(name) or (name if name in TRANSCRIPT_FIELDS else None)
            if target in ("interview_date", "consent_date", "consent_withdrawn_on"):
                try:
                    value = date.fromisoformat(value[:10])
                except ValueError:
                    value = None
            elif target == "consent_given":
                value = {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower())
            elif target == "consent_scope":
                value = value if value in ConsentScope.values else None
            if target and value is not None:
                found[target] = value
            elif name:
                continue  # kept as one of the study's own attributes (custom_values)
            else:
                self.report.unmap("variable", _("Variables with no matching participant or "
                                                "transcript field (or an unknown value)."),
                                  f"{name or ref} ({owner})")
        return found

    # ----- the study's own attributes (kept apart from the record's fields above) -----

    def custom_values(self, obj, values):
        """Variables that are no field of the record (consent, a transcript's date or language)
        become the study's own attributes of participants or
        transcripts, typed as the file says; a value that does not fit its type is reported,
        not stored."""
        target = AttributeTarget.PARTICIPANT if isinstance(obj, Participant) else AttributeTarget.TRANSCRIPT
        taken = set(self.attributes_quiet(values))
        for ref, value in values:
            name = self.project.variables.get(ref, ("", ""))[0].strip()
            key = name.lower().replace(" ", "_")
            if not name or (PARTICIPANT_FIELDS.get(key) or key) in taken:
                continue
            attribute = self.attribute_for(ref, name[:100], target)
            try:
                attribute_value_store(attribute, obj, parse_value(attribute, value))
            except ValidationError as exc:
                self.report.unmap("attribute_value", _("Variable values that do not fit their type "
                                                       "were not imported."),
                                  f"{name}: {value} ({exc.messages[0]})")
            else:
                self.report.imported["attribute_values"] += 1

    def attributes_quiet(self, values):
        """The record fields `values` set (as `attributes` finds them), without reporting."""
        report, self.report = self.report, ImportReport()
        try:
            return self.attributes(values, "")
        finally:
            self.report = report

    def attribute_for(self, ref, name, target):
        """The attribute a variable becomes, made on first use: one per name and kind of record."""
        key = (name.casefold(), target)
        if key in self.custom_attributes:
            return self.custom_attributes[key]
        kind = self.project.variables.get(ref, ("", ""))[1].strip().lower()
        description = self.project.variable_descriptions.get(ref, "") or ""
        choices = []
        lines = description.splitlines()
        if lines and lines[-1].startswith(CHOICES_MARK) and kind == "text":
            try:
                choices = [str(c) for c in json.loads(lines[-1][len(CHOICES_MARK):])]
            except (ValueError, TypeError):
                choices = []
            description = "\n".join(lines[:-1])
        if choices:
            type_ = AttributeType.CHOICE
        else:
            type_ = {"integer": AttributeType.NUMBER, "float": AttributeType.NUMBER,
                     "date": AttributeType.DATE, "datetime": AttributeType.DATE,
                     "boolean": AttributeType.BOOLEAN}.get(kind, AttributeType.TEXT)
        if kind == "datetime":
            self.report.tolerate(_("Date-and-time variables were kept as dates."))
        attribute = attribute_create(study=self.study, applies_to=target, name=name, type=type_,
                                     description=description.strip(), choices=choices)
        attribute = Attribute.objects.prefetch_related("choices").get(pk=attribute.pk)
        self.custom_attributes[key] = attribute
        self.report.imported["attributes"] += 1
        return attribute

    def source_by_name(self, case_name, ref):
        """A case's SourceRef that names no source: the source no case claims yet whose name is
        the case's, or starts with it and a space, a dot or a dash ("P01" and "P01
        interview.txt"), when exactly one does. None otherwise."""
        wanted = case_name.strip().casefold()
        found = [
            s for s in self.project.sources
            if s.guid not in self.source_participant and (s.name or "").strip().casefold() != ""
            and ((s.name or "").strip().casefold() == wanted
                 or re.match(re.escape(wanted) + r"[\s._-]", (s.name or "").strip().casefold()))
        ]
        if len(found) != 1:
            return None
        self.report.unmap("case_source_by_name", _("Case links to sources the file does not contain "
                                                   "(as QualCoder writes them) were matched to a "
                                                   "source by name."),
                          f"{case_name} → {found[0].name}")
        return found[0].guid

    def participant(self, code, attrs):
        if len(code.strip()) > 20:
            self.report.tolerate(_("Case and source names longer than 20 characters were shortened "
                                   "to make participant codes."))
        code = code.strip()[:20]
        if code in self.participants:
            return self.participants[code]
        participant = Participant(study=self.study, code=code,
                                  **{name: attrs[name] for name in CONSENT_FIELDS if name in attrs})
        participant.full_clean()
        participant.save()
        self.participants[code] = participant
        self.report.imported["participants"] += 1
        return participant

    def cases_import(self):
        sources = {s.guid for s in self.project.sources}
        for case in self.project.cases:
            if not case.name.strip():
                # MAXQDA and Quirkos: a nameless case carries its documents' attributes.
                for ref in case.source_refs:
                    self.source_variables.setdefault(ref, []).extend(case.variables)
                continue
            participant = self.participant(case.name, self.attributes(case.variables, case.name))
            self.case_participants[case.guid] = participant
            self.custom_values(participant, case.variables)
            if case.description.strip():
                self.report.unmap("case_description", _("Case descriptions were not imported "
                                                        "(participant notes are for the study's "
                                                        "owners only)."), case.name)
            for ref in case.source_refs:
                if ref not in sources:
                    ref = self.source_by_name(case.name, ref)
                if ref is None:
                    self.report.skip("case_source", _("Case links to sources the file does not "
                                                      "contain were ignored."), case.name)
                elif self.source_participant.setdefault(ref, participant) is not participant:
                    self.report.tolerate(_("A source linked to several cases was kept with the "
                                           "first."))

    # ----- sources and excerpts -----

    def source_raw(self, source):
        path = source.plain_text_path
        if path and not path.startswith("internal://"):
            self.report.unmap("external", _("Sources stored outside the archive (relative:// or "
                                            "absolute://) cannot be imported."), source.name)
            return None
        if path:
            data = self.project.archive.source(path) if self.project.archive else None
            if data is None:
                self.report.skip("missing", _("Sources whose text file is missing from the "
                                              "archive were skipped."), source.name or path)
                return None
            if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
                self.report.tolerate(_("Text files starting with a byte-order mark were read "
                                       "without it (positions count from after it)."))
            raw, invalid = decode(data)
            if invalid:
                self.report.unmap("encoding", _("Text files with bytes that are not UTF-8: those "
                                                "bytes became U+FFFD."), source.name)
            return raw
        if source.content is not None:
            return source.content
        self.report.unmap("rich_only", _("Sources with no plain text (only a rich-text or "
                                         "original file) were not imported."), source.name)
        return None

    def sources_import(self):
        total = len(self.project.sources)
        for number, source in enumerate(self.project.sources, 1):
            if self.progress:
                self.progress("sources", number, total)
            if source.kind != "TextSource":
                self.report.unmap("media", _("Picture, PDF, audio and video sources were not "
                                             "imported: the study holds text only."), source.name)
                continue
            raw = self.source_raw(source)
            if raw is None:
                continue
            text = SourceText(raw)
            if not text.text:
                self.report.skip("empty", _("Sources with no text were skipped."),
                                 source.name or source.guid)
                continue
            if text.has_cr:
                self.report.tolerate(_("CRLF line endings were stored as LF, offsets moved "
                                       "with them."))
            transcript = self.transcript(source, text.text)
            self.excerpts_import(source, text, transcript)

    def transcript(self, source, text):
        title = (source.name or f"Source {source.guid[:8]}")[:200]
        values = [*source.variables, *self.source_variables.get(source.guid, [])]
        attrs = self.attributes(values, title)
        participant = self.source_participant.get(source.guid)
        if participant is None:
            # Named after the source; a participant with that code already is the same one, as
            # for a case.
            participant = self.participant(title.strip()[:20] or "Imported", attrs)
        # Our own files say everything there is to say; another tool's leave gaps we fill.
        creator = self.users.get(source.user, None if self.from_us else self.user)
        filename = attrs.get("source_filename", "" if self.from_us else self.report.file_name)
        transcript = Transcript(
            study=self.study, participant=participant, title=title, text=text,
            interview_date=attrs.get("interview_date"),
            language=str(attrs.get("language") or self.study.language)[:20],
            source_filename=str(filename)[:255], created_by=creator, updated_by=creator,
        )
        transcript.full_clean()
        transcript.save()
        self.custom_values(transcript, values)
        if source.created:
            Transcript.objects.filter(pk=transcript.pk).update(created_at=source.created)
        self.report.imported["transcripts"] += 1
        self.languages[transcript.language] += 1
        return transcript

    def span(self, text, reading, sel_start, sel_end):
        start = text.position(sel_start, utf16=reading[0], crlf_as_one=reading[1])
        end = text.position(sel_end, utf16=reading[0], crlf_as_one=reading[1])
        return start, end

    def excerpts_import(self, source, text, transcript):
        reading = choose_reading(text, source.selections, self.project.origin)
        self.read_sources[source.guid] = (transcript, text, reading)
        if reading[0]:
            self.report.tolerate(_("Positions were read as UTF-16 units (as NVivo and QualCoder "
                                   "count) and converted to characters."))
        if reading[1]:
            self.report.tolerate(_("Positions counted a CRLF line break as one character."))
        groups, comments = {}, []
        for sel in source.selections:
            if sel.start is None or sel.end is None:
                self.report.skip("positions", _("Selections with unreadable positions were "
                                                "skipped."), sel.guid)
                continue
            start, end = self.span(text, reading, min(sel.start, sel.end), max(sel.start, sel.end))
            if start is None or end is None:
                self.report.skip("outside", _("Selections reaching outside their text were "
                                              "skipped."), f"{source.name} {sel.start}–{sel.end}")
                continue
            if start >= end:
                self.report.skip("blank", _("Selections of only line breaks or trailing spaces "
                                            "(removed from the stored text) were skipped."),
                                 f"{source.name} {sel.start}–{sel.end}")
                continue
            quote = text.text[start:end]
            # Our export names a selection after its quote; a name that differs is the quote of
            # an excerpt that needed review when it was exported.
            review = self.from_us and bool(sel.name) and sel.name != NOT_XML.sub("\ufffd", quote)
            mine = []
            for coding in sel.codings:
                group = self.coding_group(groups, coding, sel, start, end)
                if group is not None:
                    group.quote, group.review = (sel.name, True) if review else (quote, False)
                    mine.append((coding, group))
            memos = [sel.description.strip()] if sel.description.strip() else []
            refs = [*sel.note_refs, *self.links.get(sel.guid, ())]
            for ref in [r for r in refs if is_memo_note(self.project, r)]:  # our memos' links
                if mine:  # linked to this excerpt
                    self.memo_selection_refs.append((ref, transcript.pk, start, end))
                else:  # pinned to this passage
                    self.memo_span_refs.append((ref, transcript, start, end))
                refs.remove(ref)
            if not mine and (memos or refs):
                comments.append((start, end, memos, refs))
                continue
            self.attach_memos([g for _c, g in mine], memos, refs)
        for coding in source.codings:  # a whole source coded at once
            group = self.coding_group(groups, coding, None, 0, len(text.text))
            if group is not None:
                group.quote = text.text
        for start, end, memos, refs in comments:
            targets = [g for (s, e, _coder), g in groups.items() if (s, e) == (start, end)]
            if targets:
                self.attach_memos(targets, memos, refs)
            else:
                self.annotation_import(transcript, start, end, memos, refs)
        self.excerpts_save(transcript, groups)

    def coding_group(self, groups, coding, sel, start, end):
        theme = self.themes.get(coding.code)
        if theme is None:
            self.report.skip("coderef", _("Codings of a code the file does not define were "
                                          "skipped."), coding.code)
            return None
        coder = self.coder(coding.user, sel.user if sel else "")
        group = groups.setdefault((start, end, coder.pk), _Group(coder.pk))
        group.themes.add(theme.pk)
        created = coding.created or (sel.created if sel else None)
        if created and (group.created is None or created < group.created):
            group.created = created
        for ref in coding.note_refs:
            self.add_memo(group, self.note_text(ref))
        return group

    def attach_memos(self, groups, memos, refs):
        for memo in memos:
            for group in groups:
                self.add_memo(group, memo)
        for ref in refs:
            note = self.project.notes.get(ref)
            if note is None:
                self.report.skip("noteref", _("References to notes the file does not contain "
                                              "were ignored."), ref)
                continue
            # A note on a selection several coders share belongs to its author's excerpt.
            author = self.users.get(note.user)
            own = [g for g in groups if author is not None and g.coder_id == author.pk]
            for group in own or groups:
                self.add_memo(group, self.note_text(ref))

    def annotation_import(self, transcript, start, end, memos, refs):
        """A selection with no code (a MAXQDA comment, an NVivo annotation): a memo pinned to
        the passage, its text the selection's description and the notes linked to it."""
        notes = [self.project.notes[r] for r in refs if r in self.project.notes]
        texts = [*memos, *((self.note_text(n.guid) or "").strip() for n in notes)]
        body = "\n\n".join(t for t in texts if t)
        title = next((n.name.strip() for n in notes if n.name.strip()), "") or transcript.text[start:end][:60]
        author = next((self.users[n.user] for n in notes if n.user in self.users), self.user)
        memo = Memo(study=self.study, title=title.strip()[:200] or "Note", body=body, author=author)
        memo.full_clean()
        memo.save()
        MemoSpan.objects.create(study=self.study, memo=memo, transcript=transcript, start=start, end=end,
                                quote=transcript.text[start:end])
        self.report.imported["study_memos"] += 1

    @staticmethod
    def add_memo(group, text):
        if text and text.strip() and text not in group.memos:
            group.memos.append(text)

    def excerpts_save(self, transcript, groups):
        created, rows, now = [], [], timezone.now()
        for (start, end, coder_id), group in groups.items():
            memo = "\n\n".join(group.memos)
            excerpt = CodedExcerpt(
                study=self.study, transcript=transcript, start=start, end=end, quote=group.quote,
                coder_id=coder_id, memo=memo, needs_review=group.review,
                review_reason=ReviewReason.TEXT_CHANGED if group.review else ReviewReason.NONE,
                created_at=group.created or now, updated_at=now,
            )
            # What excerpt_create's full_clean checks, without its four queries an excerpt: the
            # transcript and coder are rows this import holds, and start < end is checked above.
            excerpt.clean_fields(exclude=["study", "transcript", "coder", "version", "created_at",
                                          "updated_at"])
            excerpt.clean()
            created.append((excerpt, group))
        _excerpts_insert([e for e, _g in created])
        for excerpt, group in created:
            rows += [(excerpt.pk, t) for t in sorted(group.themes)]
        _links_insert(rows)
        # Raw inserts send no model signals: the history gets each excerpt's create row this way.
        fields = [f.attname for f in CodedExcerpt._meta.concrete_fields
                  if f.attname not in ("updated_at", "version")]
        rows_bulk_written.send(
            sender=CodedExcerpt, study_id=self.study.pk, model="coding.codedexcerpt", action="create",
            rows=[(e.pk, str(e), {**{f: getattr(e, f) for f in fields}, "themes": sorted(g.themes)})
                  for e, g in created],
        )
        self.report.imported["excerpts"] += len(created)
        self.report.imported["codings"] += len(rows)
        self.report.imported["memos"] += sum(1 for _e, g in created if g.memos)

    # ----- what is left -----

    def leftovers_report(self):
        for s in self.project.sets:
            if not getattr(s, "used", False):
                detail = f"{s.name}: {s.description}".strip(": ")
                counts = f"{len(s.codes)} codes, {len(s.sources)} sources, {len(s.notes)} notes"
                self.report.unmap("set", _("Sets (code groups, document sets) have no "
                                           "counterpart in the study."), f"{detail} ({counts})")
        for key, note in self.project.notes.items():
            if key not in self.used_notes:
                self.report.unmap("note", _("Notes attached to nothing we import (the project, a "
                                            "source, a case) were not imported."),
                                  note.name or key)
        for name, count in self.project.ignored.items():
            self.report.unmap(f"ignored_{name}", _("Parts of the file the study has no "
                                                   "counterpart for were ignored."),
                              f"{name} ({count})")


# Two writes in plain SQL, because the ORM's way costs more than the import itself at 100,000
# excerpts. bulk_create stamps created_at with "now" (auto_now_add), and putting the time an
# excerpt was first coded back with bulk_update builds a CASE expression object per row (about
# 35 s); for the link table it builds a model instance per row. The statements are standard SQL
# that SQLite (3.35+) and PostgreSQL, the project's two databases, run alike; each batch stays
# well under either's limit on parameters.

EXCERPT_COLUMNS = ("study", "transcript", "start", "end", "quote", "coder", "memo", "needs_review",
                   "review_reason", "version", "created_at", "updated_at")


def _excerpts_insert(excerpts, batch=500):
    """Insert validated CodedExcerpt instances of one transcript as they are (created_at
    included) and set their ids. Rows come back matched on (start, end, coder), which the
    import makes unique per transcript, so nothing depends on the order RETURNING uses."""
    quote = connection.ops.quote_name
    fields = [CodedExcerpt._meta.get_field(name) for name in EXCERPT_COLUMNS]
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    key = ", ".join(quote(c) for c in ("id", "start", "end", "coder_id"))
    with connection.cursor() as cursor:
        for i in range(0, len(excerpts), batch):
            chunk = excerpts[i : i + batch]
            cursor.execute(
                f"INSERT INTO {quote(CodedExcerpt._meta.db_table)} ({columns}) VALUES "
                + ", ".join([row] * len(chunk)) + f" RETURNING {key}",
                [f.get_db_prep_save(getattr(e, f.attname), connection) for e in chunk for f in fields],
            )
            ids = {(start, end, coder): pk for pk, start, end, coder in cursor.fetchall()}
            for excerpt in chunk:
                excerpt.pk = ids[excerpt.start, excerpt.end, excerpt.coder_id]
                excerpt._state.adding = False


def _links_insert(rows, batch=1000):
    """Insert excerpt-theme links [(excerpt id, theme id)], `batch` rows a statement."""
    through = CodedExcerpt.themes.through
    quote = connection.ops.quote_name
    columns = ", ".join(quote(through._meta.get_field(f).column) for f in ("codedexcerpt", "theme"))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            cursor.execute(
                f"INSERT INTO {quote(through._meta.db_table)} ({columns}) VALUES "
                + ", ".join(["(%s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )


def study_name_choose(name, file_name=""):
    """A study name and a free short name (slug) for an imported project: the project's name, or
    the file's; the slug gets -2, -3 … until no study, live or in the trash, has it."""
    name = (name or "").strip()[:200] or PurePath(file_name).stem.strip()[:200] or str(_("Imported project"))
    base = slugify(name)[:46].strip("-") or "study"
    taken = set(Study.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return name, slug


def study_import(fileobj, *, owner, name=None, file_name="", progress=None):
    """Import a .qdpx, .qde or .qdc file as a new study owned by `owner`; return an ImportReport
    whose `study` is the new study.

    `name` overrides the project's name. `owner` is also credited with codings the file gives no
    coder. Raises ExchangeError, with nothing saved (no study either), for a file that is unsafe
    or unreadable, or that the database refuses: the whole import is one transaction."""
    report = ImportReport(file_name)
    project = project_read(fileobj, progress=progress)
    report.origin = project.origin
    for message in project.tolerated:
        report.tolerate(message)
    try:
        with transaction.atomic():
            study_name, slug = study_name_choose(name or project.name, file_name)
            report.study = study_create(name=study_name, slug=slug, creator=owner)
            _Importer(project, report.study, owner, report, progress).run()
    except ValidationError as exc:
        report.study = None
        raise ExchangeError(_("The study cannot take part of the file: %(error)s")
                            % {"error": " ".join(exc.messages)}) from exc
    except DatabaseError as exc:
        report.study = None
        raise ExchangeError(_("The database refused the import (%(error)s).")
                            % {"error": exc}) from exc
    return report
