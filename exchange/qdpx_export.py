"""One study as a REFI-QDA project (.qdpx): project.qde plus sources/<guid>.txt.

| Study | REFI-QDA |
|---|---|
| Study name, description, language | Project name, project Description ending "Study language: es" |
| Transcripts | TextSource + sources/<guid>.txt (UTF-8, no BOM, the stored text byte for byte) |
| Coded excerpts | PlainTextSelection (one per span), with one Coding per theme and coder |
| Coders | User (the username only) |
| Participants | Case named by pseudonym code; pseudonymous attributes, consent as variables; SourceRef |
| Attributes | Typed Variables; values on the Case or TextSource; never identifying ones |
| Memos | Note with PlainTextContent, referenced from the selection |
| Journal memos | Note, with NoteRefs and Links to what it links (exchange/qdpx_memos.py) |
| Themes | Code tree; criteria and second-language texts inside the Description; kinds as Sets |

Participants without consent (withdrawn, or never given) are left out by default, with their
transcripts, excerpts and memos: a file that leaves the app is out of reach of a later withdrawal.
An owner may include them on purpose (`include_withdrawn`; the view logs it in the history).

Positions are code points of the stored text, which is exactly what sources/<guid>.txt holds.
Every GUID is derived from a primary key (`exchange.refi.guid`) and every zip entry carries the
same timestamp, so two exports of an unchanged study are byte-identical.
"""

import json
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from itertools import chain

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from coding.models import CodedExcerpt, Theme, ThemeKind, blind_q, theme_tree
from exchange.qdpx_memos import MemoExport, memos_for_export
from exchange.refi import (
    KIND_SET_DESCRIPTION,
    KIND_SET_NAME,
    NOT_XML,
    NS_PROJECT,
    ORIGIN,
    description_compose,
    guid,
    second_language,
    study_description_compose,
    xml_datetime,
)
from interviews.attributes import format_number
from interviews.models import (
    Attribute,
    AttributeChoice,
    AttributeType,
    AttributeValue,
    Participant,
    Transcript,
    consent_counts_q,
)

# Consent travels with each case, so another tool (or a later import) knows what may be quoted.
CONSENT_VARIABLES = (("consent_given", "Boolean"), ("consent_date", "Date"), ("consent_scope", "Text"),
                     ("consent_withdrawn_on", "Date"))
# Transcript fields that become source variables, with their REFI variable types.
SOURCE_VARIABLES = (("interview_date", "Date"), ("language", "Text"), ("source_filename", "Text"))
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say; any fixed value would do

def _attr(value):
    value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # Escaped, or a parser would turn them into spaces (attribute-value normalisation).
    return (value.replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def _text(value):
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;")  # a literal CR would be read back as LF


def _tag(name, attrs, close=False):
    inner = "".join(f' {key}="{_attr(value)}"' for key, value in attrs.items() if value is not None)
    return f"<{name}{inner}{'/' if close else ''}>"


def _element(name, attrs, text):
    return f"{_tag(name, attrs)}{_text(text)}</{name}>"


def codes_xml(themes, second_language="", note_refs=None):
    """The `<Codes>` tree of `themes` (every theme codable, criteria inside the Description),
    as a list of XML strings; empty when there are no themes (an empty <Codes> is invalid).
    The one place the codebook is written: a .qdc wraps the same list in <CodeBook> (without
    `note_refs`, theme id -> note GUIDs, which a codebook cannot hold)."""
    out, open_depths = [], []
    for theme, depth in theme_tree(themes):
        while open_depths and open_depths[-1] >= depth:
            open_depths.pop()
            out.append("</Code>")
        out.append(_tag("Code", {"guid": guid("theme", theme.pk), "name": theme.name,
                                 "isCodable": "true" if theme.is_codable else "false",
                                 "color": theme.colour}))
        description = description_compose(theme, second_language)
        if description:
            out.append(_element("Description", {}, description))
        out += [_tag("NoteRef", {"targetGUID": note}, close=True)
                for note in (note_refs or {}).get(theme.pk, ())]
        open_depths.append(depth)
    out.extend("</Code>" for _ in open_depths)
    return ["<Codes>", *out, "</Codes>"] if out else []


def kind_sets_xml(themes):
    """One project-level <Set> per theme kind in use, listing its themes (REFI has no kinds)."""
    out = []
    for kind in ThemeKind.values:
        members = [t.pk for t in themes if t.kind == kind]
        if members:
            out.append(_tag("Set", {"guid": guid("theme-kind", kind),
                                    "name": KIND_SET_NAME.format(kind=kind)}))
            out.append(_element("Description", {}, KIND_SET_DESCRIPTION.format(kind=kind)))
            out += [_tag("MemberCode", {"targetGUID": guid("theme", pk)}, close=True) for pk in members]
            out.append("</Set>")
    return ["<Sets>", *out, "</Sets>"] if out else []


@dataclass
class ExportSummary:
    counts: dict = field(default_factory=dict)
    replaced_characters: int = 0
    withheld: list = field(default_factory=list)  # codes of participants left out for consent

    left_out = (
        _("Participants' names, contacts and notes (only the study's owners see them)."),
        _("Participants without consent (withdrawn, or never given), with their transcripts and "
          "excerpts, unless an owner includes them on purpose."),
        _("Why an excerpt needs review: an excerpt whose quote no longer matches the text keeps "
          "its old quote as the selection's name."),
        _("Excerpts that were removed and can still be restored (the trash)."),
        _("Earlier versions of a transcript's text, and subtitle cue times."),
    )


def _origin():
    try:
        return f"{ORIGIN} {metadata.version('pasto-coop')}"
    except metadata.PackageNotFoundError:
        return ORIGIN


# ----- reads: each is one query, so the export's query count does not grow with the study -----

def _themes_for_export(study):
    """Export: the study's themes (tree order is built in Python). One query."""
    return list(Theme.objects.filter(study=study).order_by("pk"))


def _participants_for_export(study):
    """Export: the study's participants, their codes and consent only (their attributes are
    read with the others'), never full_name or contact. One query."""
    return list(Participant.objects.filter(study=study).order_by("code")
                .annotate(may_export=consent_counts_q())
                .values("pk", "may_export", "code",
                        *(name for name, _kind in CONSENT_VARIABLES)))


def withheld_participants(study):
    """The codes of the participants an export leaves out unless asked: no consent, or
    withdrawn. One query (for the exchange page)."""
    return list(Participant.objects.filter(study=study).exclude(consent_counts_q())
                .order_by("code").values_list("code", flat=True))


def _transcripts_for_export(study, withheld_ids):
    """Export: transcripts with their text, streamed in chunks. One query (a server-side cursor
    on PostgreSQL), so the texts of a large study are never all in memory at once."""
    transcripts = Transcript.objects.filter(study=study).exclude(participant_id__in=withheld_ids)
    return transcripts.order_by("pk").values(
        "pk", "participant_id", "title", "text", "interview_date", "language", "source_filename",
        "created_by_id", "created_at",
    ).iterator(chunk_size=100)


def _excerpts_for_export(study, withheld_ids, membership=None):
    """Export: the study's excerpts in text order per transcript (those `membership` may see:
    blind_q), streamed. One query."""
    excerpts = (CodedExcerpt.objects.filter(blind_q(membership), study=study)
                .exclude(transcript__participant_id__in=withheld_ids))
    return excerpts.order_by("transcript_id", "start", "end", "pk").values_list(
        "pk", "transcript_id", "start", "end", "quote", "coder_id", "memo", "created_at",
    ).iterator(chunk_size=2000)


def _excerpt_themes_for_export(study, membership=None):
    """Export: excerpt id -> sorted theme ids, for the study's excerpts. One query over the link
    table (joined to the excerpts for their study)."""
    links = {}
    through = CodedExcerpt.themes.through
    for excerpt_id, theme_id in through.objects.filter(blind_q(membership, "codedexcerpt__"),
                                                       codedexcerpt__study=study).order_by(
        "codedexcerpt_id", "theme_id"
    ).values_list("codedexcerpt_id", "theme_id"):
        links.setdefault(excerpt_id, []).append(theme_id)
    return links


def _users_for_export(ids):
    """Export: the coders and transcript creators that the file mentions. One query."""
    return list(get_user_model().objects.filter(pk__in=ids).order_by("pk"))


def _attributes_for_export(study):
    """Export: the study's attributes that are not identifying, each with `labels` (choice id ->
    label, in the list's order). Two queries, whether or not there are choices."""
    attributes = list(Attribute.objects.filter(study=study, identifying=False).order_by(
        "applies_to", "order", "name"))
    for attribute in attributes:
        attribute.labels = {}
    by_pk = {a.pk: a for a in attributes}
    for choice in AttributeChoice.objects.filter(attribute__study=study, attribute__identifying=False):
        by_pk[choice.attribute_id].labels[choice.pk] = choice.label
    return attributes


def _attribute_values_for_export(study, attributes):
    """Export: {("participant" | "transcript", id): [(attribute, typed value)]} for `attributes`.
    One query."""
    by_pk = {a.pk: a for a in attributes}
    values = {}
    rows = AttributeValue.objects.filter(study=study, attribute__identifying=False)
    rows = rows.order_by("attribute_id", "pk")
    for row in rows.values_list("attribute_id", "participant_id", "transcript_id", "text", "number", "date",
                                "boolean", "choice_id"):
        attribute = by_pk.get(row[0])
        if attribute is None:  # made between the two reads
            continue
        owner = ("participant", row[1]) if row[1] is not None else ("transcript", row[2])
        value = next(v for v in row[3:] if v is not None)
        values.setdefault(owner, []).append((attribute, value))
    return values


# ----- attributes as REFI-QDA variables (kept apart from the record's own variables) -----

# REFI-QDA typeOfVariable and value element per attribute type.
ATTRIBUTE_VARIABLE_TYPES = {
    AttributeType.TEXT: ("Text", "TextValue"), AttributeType.CHOICE: ("Text", "TextValue"),
    AttributeType.NUMBER: ("Float", "FloatValue"), AttributeType.DATE: ("Date", "DateValue"),
    AttributeType.BOOLEAN: ("Boolean", "BooleanValue"),
}
# The last line of a choice attribute's Variable Description: its list, so that our import
# makes it a choice again (another tool reads a Text variable with a description).
CHOICES_MARK = "pasto-coop choices: "


def attribute_variables_xml(attributes):
    """<Variable> elements for the study's own attributes."""
    xml = []
    for attribute in attributes:
        kind = ATTRIBUTE_VARIABLE_TYPES[attribute.type][0]
        description = attribute.description
        if attribute.type == AttributeType.CHOICE:
            labels = json.dumps(list(attribute.labels.values()), ensure_ascii=False)
            description = f"{description}\n{CHOICES_MARK}{labels}".strip()
        attrs = {"guid": guid("attribute", attribute.pk), "name": attribute.name, "typeOfVariable": kind}
        if description:
            xml.append(_tag("Variable", attrs) + _element("Description", {}, description) + "</Variable>")
        else:
            xml.append(_tag("Variable", attrs, close=True))
    return xml


def attribute_values_xml(values):
    """<VariableValue> elements for one Case or TextSource: [(attribute, typed value)]."""
    xml = []
    for attribute, value in values:
        element = ATTRIBUTE_VARIABLE_TYPES[attribute.type][1]
        if attribute.type == AttributeType.CHOICE:
            shown = attribute.labels[value]
        elif attribute.type == AttributeType.NUMBER:
            shown = format_number(value)
        elif attribute.type == AttributeType.DATE:
            shown = value.isoformat()
        elif attribute.type == AttributeType.BOOLEAN:
            shown = "true" if value else "false"
        else:
            shown = value
        ref = _tag("VariableRef", {"targetGUID": guid("attribute", attribute.pk)}, True)
        xml.append(f"<VariableValue>{ref}{_element(element, {}, shown)}</VariableValue>")
    return xml


# ----- writing -----

def _selections_xml(excerpts, links, theme_ids, users, notes, memo_refs):
    """PlainTextSelections for one transcript's excerpts (sorted by start, end, pk).

    Excerpts that share a span and quote share one selection, with one Coding per theme and
    coder; each memo becomes a Note, referenced from the selection. The hot path of a large
    export (100,000 excerpts, 200,000 codings), so it writes its strings directly: GUIDs and
    numbers need no escaping, and each GUID and date is computed once.
    """
    out, groups = [], {}
    for excerpt in excerpts:
        groups.setdefault((excerpt[2], excerpt[3], excerpt[4]), []).append(excerpt)
    for (start, end, quote), group in groups.items():
        dated = [(e, xml_datetime(e[7])) for e in group]
        out.append(f'<PlainTextSelection guid="{guid("excerpt", group[0][0])}" name="{_attr(quote)}" '
                   f'startPosition="{start}" endPosition="{end}" creatingUser="{users[group[0][5]]}" '
                   f'creationDateTime="{min(d for _e, d in dated)}">')
        for (pk, _t, _s, _e, _q, coder_id, _memo, _c), created in dated:
            for theme_id in links.get(pk, ()):
                theme = theme_ids.get(theme_id)
                if theme is None:  # a theme created after the theme read began
                    continue
                out.append(f'<Coding guid="{guid("coding", pk, theme_id)}" creatingUser="{users[coder_id]}" '
                           f'creationDateTime="{created}"><CodeRef targetGUID="{theme}"/></Coding>')
        for (pk, _t, _s, _e, _q, coder_id, memo, _c), created in dated:
            if memo:
                note = guid("memo", pk)
                out.append(f'<NoteRef targetGUID="{note}"/>')
                notes.append(f'<Note guid="{note}" name="{_attr(f"Memo: {quote[:60]}")}" '
                             f'creatingUser="{users[coder_id]}" creationDateTime="{created}">'
                             f"{_element('PlainTextContent', {}, memo)}</Note>")
        for (pk, *_rest), _created in dated:
            out += [f'<NoteRef targetGUID="{note}"/>' for note in memo_refs.get(pk, ())]
        out.append("</PlainTextSelection>")
    return out


class _UserGuids(dict):
    """user id -> GUID, remembering every user the file mentions (they go into <Users>)."""

    def __missing__(self, user_id):
        self[user_id] = guid("user", user_id)
        return self[user_id]


def _variable_value(name, kind, value):
    element = {"Text": "TextValue", "Date": "DateValue", "Boolean": "BooleanValue"}[kind]
    if kind == "Boolean":
        shown = "true" if value else "false"
    else:
        shown = value.isoformat() if kind == "Date" else value
    return (f"<VariableValue>{_tag('VariableRef', {'targetGUID': guid('variable', name)}, True)}"
            f"{_element(element, {}, shown)}</VariableValue>")


def _zip_info(name):
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED  # zlib's default level
    info.create_system = 3  # Unix, whatever system writes it
    info.external_attr = 0o100644 << 16
    return info


def _xml_write(archive, parts):
    """Stream the XML into project.qde, a megabyte at a time, as UTF-8 with the characters XML
    cannot hold (in a memo, say) replaced; returns how many were. Transcript texts are not
    affected: they travel as sources/*.txt. Joining a large project into one string first
    would cost four bytes a character as soon as one emoji is quoted."""
    replaced, buffer, size = 0, [], 0
    with archive.open(_zip_info("project.qde"), "w") as qde:
        for part in parts:
            part, count = NOT_XML.subn("\ufffd", part)
            replaced += count
            data = part.encode("utf-8")
            buffer.append(data)
            size += len(data)
            if size > 1 << 20:
                qde.write(b"\n".join(buffer) + b"\n")
                buffer, size = [], 0
        qde.write(b"\n".join(buffer))
    return replaced


def study_export(out, *, study, include_withdrawn=False, progress=None, membership=None):
    """Write `study` to `out` (a writable, seekable binary file) as a .qdpx archive: its
    participants (pseudonymous fields only), transcripts, themes and excerpts, nothing of any
    other study.

    Participants without consent are left out (see the module's docstring) unless
    `include_withdrawn`. Nine queries whatever the size of the study (see the read functions
    above). Returns an ExportSummary with counts, what the format leaves out and who was withheld.
    `membership`: the member exporting; blind coding leaves out what it hides from them
    (coding.models.blind_q), None nothing (commands).
    """
    summary = ExportSummary()
    themes = _themes_for_export(study)
    theme_ids = {t.pk: guid("theme", t.pk) for t in themes}
    participants = _participants_for_export(study)
    attributes = _attributes_for_export(study)
    attribute_values = _attribute_values_for_export(study, attributes)
    withheld_ids = set()
    if not include_withdrawn:
        withheld_ids = {p["pk"] for p in participants if not p["may_export"]}
        summary.withheld = [p["code"] for p in participants if not p["may_export"]]
        participants = [p for p in participants if p["may_export"]]
    links = _excerpt_themes_for_export(study, membership)
    excerpts = _excerpts_for_export(study, withheld_ids, membership)
    pending = next(excerpts, None)
    users, sources, notes, transcripts_of = _UserGuids(), [], [], {}
    memos = MemoExport(memos_for_export(study, withheld_ids), users, tag=_tag, element=_element)
    counts = dict.fromkeys(("transcripts", "excerpts", "codings", "memos"), 0)
    with zipfile.ZipFile(out, "w") as archive:
        for t in _transcripts_for_export(study, withheld_ids):
            source_guid = guid("transcript", t["pk"])
            transcripts_of.setdefault(t["participant_id"], []).append(source_guid)
            archive.writestr(_zip_info(f"sources/{source_guid}.txt"), t["text"].encode("utf-8"))
            sources.append(_tag("TextSource", {
                "guid": source_guid, "name": t["title"],
                "plainTextPath": f"internal://{source_guid}.txt",
                "creatingUser": users[t["created_by_id"]] if t["created_by_id"] else None,
                "creationDateTime": xml_datetime(t["created_at"]),
            }))
            own = []
            while pending is not None and pending[1] <= t["pk"]:
                if pending[1] == t["pk"]:
                    own.append(pending)
                pending = next(excerpts, None)
            sources.extend(_selections_xml(own, links, theme_ids, users, notes, memos.excerpt_refs))
            sources += memos.selections.get(t["pk"], ())
            sources += [_tag("NoteRef", {"targetGUID": n}, close=True)
                        for n in memos.source_refs.get(t["pk"], ())]
            for name, kind in SOURCE_VARIABLES:
                if t[name]:
                    sources.append(_variable_value(name, kind, t[name]))
            sources.extend(attribute_values_xml(attribute_values.get(("transcript", t["pk"]), ())))
            sources.append("</TextSource>")
            counts["transcripts"] += 1
            counts["excerpts"] += len(own)
            counts["codings"] += sum(len(links.get(e[0], [])) for e in own)
            counts["memos"] += sum(1 for e in own if e[6])
            if progress:
                progress("sources", counts["transcripts"], None)

        xml = ['<?xml version="1.0" encoding="utf-8"?>',
               _tag("Project", {"xmlns": NS_PROJECT, "name": study.name, "origin": _origin()})]
        coders = _users_for_export(users)
        if coders:
            xml += ["<Users>", *(_tag("User", {"guid": guid("user", u.pk), "name": u.get_username()},
                                      close=True) for u in coders), "</Users>"]
        codes = codes_xml(themes, second_language(study.language), note_refs=memos.theme_refs)
        if codes:
            xml += ["<CodeBook>", *codes, "</CodeBook>"]
        xml += ["<Variables>"]
        for name, kind in [*CONSENT_VARIABLES, *SOURCE_VARIABLES]:
            xml.append(_tag("Variable", {"guid": guid("variable", name), "name": name,
                                         "typeOfVariable": kind}, close=True))
        xml += [*attribute_variables_xml(attributes), "</Variables>"]
        if participants:
            xml.append("<Cases>")
            for p in participants:
                xml.append(_tag("Case", {"guid": guid("participant", p["pk"]), "name": p["code"]}))
                xml += attribute_values_xml(attribute_values.get(("participant", p["pk"]), ()))
                xml += [_variable_value(n, kind, p[n]) for n, kind in CONSENT_VARIABLES
                        if p[n] is not None and p[n] != ""]
                xml += [_tag("SourceRef", {"targetGUID": s}, close=True)
                        for s in transcripts_of.get(p["pk"], [])]
                xml.append("</Case>")
            xml.append("</Cases>")
        description = [_element("Description", {}, study_description_compose(study))]
        notes += memos.notes
        tail = [*(["<Notes>", *notes, "</Notes>"] if notes else []),
                *(["<Links>", *memos.links, "</Links>"] if memos.links else []), *kind_sets_xml(themes),
                *description, "</Project>"]
        sources = ["<Sources>", *sources, "</Sources>"] if sources else []
        summary.replaced_characters = _xml_write(archive, chain(xml, sources, tail))
    summary.counts = {"participants": len(participants), "themes": len(themes),
                      "coders": len(coders), **counts}
    if memos.notes:
        summary.counts["study_memos"] = len(memos.notes)
    return summary
