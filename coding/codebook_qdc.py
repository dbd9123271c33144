"""The codebook as a REFI-QDA codebook exchange file (.qdc), both ways.

Export writes what the official `Codebook-mrt2019.xsd` accepts (`validate.py --strict` passes):
one `<Code>` per theme, nested as the tree is, siblings in codebook order, with the theme's
colour and a `<Description>` that carries its description, inclusion and exclusion criteria
(see `description_compose`). REFI-QDA has no theme kind, so kinds travel as two `<Set>`s
("pasto-coop theme kind: strategy" / "... analytic"); other tools show them as code groups.
Exports are byte-identical for the same codebook: GUIDs are derived from ids (`theme_guid`),
and nothing depends on the time or the language.

Import is tolerant of what real tools write (shared/refi-qda/NOTES.md): elements are matched
by local name (any namespace spelling), a BOM is fine, colours may be #RGB or #RRGGBBAA, GUIDs
may be any id. XML is parsed by defusedxml: no DTD, no entity expansion, no network.

For the project exchange (.qdpx) the same pieces serve the codebook part, so both files agree:
- `theme_guid(theme)`: a theme's GUID in every file we write.
- `codes_element(themes)`: the `<Codes>` element (None for no themes: an empty `<Codes>` is
  schema-invalid, so leave `<CodeBook>` out). Unqualified tags by default, for a root that
  carries `xmlns="urn:QDA-XML:project:1.0"`; pass `namespace=NS_PROJECT` for `{ns}Code` tags.
- `kind_sets(themes, member_attribute="targetGUID")`: the kind `<Set>`s for the project-level
  `<Sets>` (same `namespace` choice).
- `codebook_import_element(project_root, study=study, report=report)`: imports `<CodeBook>` and
  the kind sets from a parsed `<Project>` into the study and returns {guid: Theme} for resolving
  `<CodeRef>`s.
"""

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import defusedxml
import defusedxml.ElementTree as SafeET
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coding.forms import MAX_CODEBOOK_BYTES, PALETTE, clean_theme_text
from coding.models import Theme, ThemeKind

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
NS_PROJECT = "urn:QDA-XML:project:1.0"
ORIGIN = "pasto-coop"

# Fixed forever: changing it changes every GUID we have ever exported.
GUID_NAMESPACE = uuid.UUID("0684c1b3-f2b2-463f-9fa5-b030b8c171e6")

# Written into files, so fixed English rather than translated: exports stay byte-identical
# whatever the user's language, and the importer can find the parts again.
INCLUSION = "Inclusion criteria: "
EXCLUSION = "Exclusion criteria: "
KIND_SET_NAME = "pasto-coop theme kind: {kind}"
KIND_SET_DESCRIPTION = "The themes of kind “{kind}” in pasto-coop (REFI-QDA has no theme kinds)."

# Real codebooks nest a few levels (NVivo's sample: 7). Deeper files are refused rather than
# stored, since every page that walks the tree would then have to cope with them.
MAX_DEPTH = 50

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_COLOUR6 = re.compile(r"#[0-9a-fA-F]{6}")
# A theme's texts in the study's second language, as description_compose writes them.
SECOND_LABELS = {"name": "Name", "description": "Description", "inclusion_criteria": "Inclusion criteria",
                 "exclusion_criteria": "Exclusion criteria"}
_SECOND_AT = re.compile(r"(?:\A|\n\n)\[([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\] ("
                        + "|".join(SECOND_LABELS.values()) + "): ")
_INCLUSION_AT = re.compile(r"(?:\A|\n\n)" + re.escape(INCLUSION))
_EXCLUSION_AT = re.compile(r"(?:\A|\n\n)" + re.escape(EXCLUSION))


def theme_guid(theme):
    """The GUID of a theme (or a theme id) in every REFI-QDA file pasto-coop writes:
    uuid5(GUID_NAMESPACE, "theme:<id>"), lower-case. Stable across exports of one database;
    two databases give different themes the same GUID, so imports match themes by name and
    parent, never by GUID."""
    pk = theme if isinstance(theme, int) else theme.pk
    return str(uuid.uuid5(GUID_NAMESPACE, f"theme:{pk}"))


def kind_set_guid(kind):
    return str(uuid.uuid5(GUID_NAMESPACE, f"theme-kind:{kind}"))


def description_compose(theme, second_language=""):
    """A theme's description, inclusion and exclusion criteria as one REFI `<Description>`:
    paragraphs, the criteria introduced by "Inclusion criteria: " and "Exclusion criteria: ".
    With `second_language` (a tag), the theme's texts in that language follow, each its own
    paragraph introduced by the tag and the field: "[en] Name: Youth", "[en] Description: …",
    "[en] Inclusion criteria: …", "[en] Exclusion criteria: …" (second_language_parse)."""
    parts = [theme.description] if theme.description else []
    if theme.inclusion_criteria:
        parts.append(INCLUSION + theme.inclusion_criteria)
    if theme.exclusion_criteria:
        parts.append(EXCLUSION + theme.exclusion_criteria)
    if second_language:
        for field, label in SECOND_LABELS.items():
            value = getattr(theme, f"{field}_second", "")
            if value:
                parts.append(f"[{second_language}] {label}: {value}")
    return "\n\n".join(parts)


def second_language_parse(text):
    """(text, {"name_second": …, …}, tag): a `<Description>` without its second-language
    paragraphs (description_compose), those texts, and their language tag ("" when there are
    none). Only paragraphs of the first tag found count; the rest stays in the text."""
    found = list(_SECOND_AT.finditer(text))
    if not found:
        return text, {}, ""
    tag = found[0].group(1)
    found = [m for m in found if m.group(1) == tag]
    values = {}
    for here, after in zip(found, [*found[1:], None], strict=True):
        field = {label: f for f, label in SECOND_LABELS.items()}[here.group(2)]
        values[f"{field}_second"] = text[here.end() : after.start() if after else len(text)].strip()
    if "name_second" in values:
        values["name_second"] = values["name_second"][:120]  # Theme.name_second's max_length
    return text[: found[0].start()], values, tag


def description_parse(text):
    """(description, inclusion, exclusion) from a `<Description>`; the inverse of
    `description_compose` as long as the description itself has no paragraph starting
    "Inclusion criteria: " or "Exclusion criteria: ". Other tools' descriptions stay whole."""
    inclusion = _INCLUSION_AT.search(text)
    exclusion = _EXCLUSION_AT.search(text, inclusion.end() if inclusion else 0)
    exclusion_start = exclusion.start() if exclusion else len(text)
    description = text[: inclusion.start() if inclusion else exclusion_start]
    inclusion_text = text[inclusion.end() : exclusion_start] if inclusion else ""
    exclusion_text = text[exclusion.end() :] if exclusion else ""
    return description.strip(), inclusion_text.strip(), exclusion_text.strip()


def _xml_text(value):
    """Drop the characters XML 1.0 cannot carry at all (control characters)."""
    return _XML_INVALID.sub("", value)


def _in_order(themes):
    return sorted(themes, key=lambda t: (t.order, t.name, t.pk))


def _tag(namespace, name):
    return f"{{{namespace}}}{name}" if namespace else name


def codes_element(themes, *, namespace=None, second_language=""):
    """`<Codes>` for `themes` (e.g. `Theme.objects.for_codebook_export(study)`), nested by parent.
    A theme whose parent is not among `themes` sits at the top. None when there are none.
    Tags are `{namespace}Codes` etc., or unqualified with namespace=None (for a tree whose root
    carries an `xmlns` attribute, as ours do)."""
    themes = list(themes)
    if not themes:
        return None
    ids = {t.pk for t in themes}
    children = {}
    for theme in themes:
        children.setdefault(theme.parent_id if theme.parent_id in ids else None, []).append(theme)
    codes = ET.Element(_tag(namespace, "Codes"))
    todo = [(codes, t) for t in reversed(_in_order(children[None]))]
    while todo:  # depth first, without recursion
        parent, theme = todo.pop()
        attrib = {"guid": theme_guid(theme), "name": _xml_text(theme.name),
                  "isCodable": "true" if theme.is_codable else "false"}
        if _COLOUR6.fullmatch(theme.colour or ""):
            attrib["color"] = theme.colour
        element = ET.SubElement(parent, _tag(namespace, "Code"), attrib)
        description = _xml_text(description_compose(theme, second_language))
        if description:
            ET.SubElement(element, _tag(namespace, "Description")).text = description
        todo.extend((element, c) for c in reversed(_in_order(children.get(theme.pk, []))))
    return codes


def kind_sets(themes, *, namespace=None, member_attribute="guid"):
    """One `<Set>` per theme kind in use, listing its themes. The codebook schema names a
    member by `guid`, the project schema by `targetGUID`."""
    themes = list(themes)
    sets = []
    for kind in ThemeKind.values:
        members = [t for t in themes if t.kind == kind]
        if not members:
            continue
        element = ET.Element(_tag(namespace, "Set"),
                             {"guid": kind_set_guid(kind), "name": KIND_SET_NAME.format(kind=kind)})
        ET.SubElement(element, _tag(namespace, "Description")).text = KIND_SET_DESCRIPTION.format(kind=kind)
        for theme in members:
            ET.SubElement(element, _tag(namespace, "MemberCode"), {member_attribute: theme_guid(theme)})
        sets.append(element)
    return sets


def codebook_to_qdc_element(themes, second_language=""):
    """The `<CodeBook>` root of a .qdc for `themes`, with their texts in `second_language`
    (description_compose). Raises ValueError for no themes: the schema requires at least one
    code."""
    themes = list(themes)
    codes = codes_element(themes, second_language=second_language)
    if codes is None:
        raise ValueError("a REFI-QDA codebook needs at least one code")
    root = ET.Element("CodeBook", {"xmlns": NS_CODEBOOK, "origin": ORIGIN})
    root.append(codes)
    sets = kind_sets(themes)
    if sets:
        ET.SubElement(root, "Sets").extend(sets)
    return root


def codebook_qdc_bytes(themes, second_language=""):
    """The whole .qdc file for `themes` (Theme.objects.for_codebook_export(study)): UTF-8
    without BOM, indented."""
    root = codebook_to_qdc_element(themes, second_language)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# ----- Import -----

class CodebookFileError(Exception):
    """The file cannot be read as a codebook. The message says why, for the user."""


@dataclass
class ImportReport:
    """What an import did, one message per item. The project import may pass its own report:
    any object with these list attributes will do."""

    imported: list = field(default_factory=list)
    merged: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


@dataclass
class CodeSpec:
    """One code read from a file, before it becomes (or meets) a theme."""

    guid: str
    name: str
    colour: str = ""
    description: str = ""
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    kind: str = ""
    codable: bool = True
    children: list = field(default_factory=list)
    second: dict = field(default_factory=dict)  # texts in the second language (Theme.*_second)


_LOCAL_NAMES = {}


def local_name(tag):
    """A tag's name without its namespace ("{urn:…}Code" -> "Code"), remembered per tag: the
    project import asks it for every element of a 100,000-selection file."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
    return name


def tag_namespace(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(element, name):
    return [child for child in element if local_name(child.tag) == name]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def read_upload(file, limit=MAX_CODEBOOK_BYTES):
    """The bytes of an uploaded or opened file, refusing more than `limit`."""
    data = file.read(limit + 1)
    if len(data) > limit:
        raise CodebookFileError(_("The file is larger than %(mb)s MB; a codebook should be far smaller.")
                                % {"mb": limit // (1024 * 1024)})
    return data


def parse_xml(data):
    """Parse REFI-QDA XML safely: defusedxml refuses DTDs, entity declarations and external
    references, so nothing expands and nothing is fetched. A UTF-8 BOM and blank lines before
    the XML declaration (both seen in real files) are dropped first."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.lstrip()
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise CodebookFileError(
            _("The file declares a DTD or entities, which REFI-QDA files never need; it was not read.")
        ) from None
    except ET.ParseError as exc:
        raise CodebookFileError(_("The file is not well-formed XML (%(error)s).") % {"error": exc}) from None


def _code_specs(codes, report):
    """CodeSpec trees from a `<Codes>` element, in document order, without recursion."""
    top, seen = [], set()
    todo = [(element, top, 1) for element in reversed(_children(codes, "Code"))]
    while todo:
        element, siblings, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise CodebookFileError(_("Codes are nested more than %(n)s levels deep; that is not a codebook "
                                      "this app can show.") % {"n": MAX_DEPTH})
        guid = (element.get("guid") or "").strip()
        if not guid or guid in seen:
            if guid:
                report.warnings.append(_("Two codes share the GUID %(guid)s; references go to the first.")
                                       % {"guid": guid})
            guid = f"unnamed:{len(seen)}:{guid}"
        seen.add(guid)
        description = _child(element, "Description")
        text = clean_theme_text("".join(description.itertext())) if description is not None else ""
        spec = CodeSpec(
            guid=guid,
            name=element.get("name") or "",
            colour=(element.get("color") or "").strip(),
            codable=(element.get("isCodable") or "true").strip().lower() not in ("false", "0"),
        )
        text, spec.second, _tag = second_language_parse(text)
        spec.description, spec.inclusion_criteria, spec.exclusion_criteria = description_parse(text)
        siblings.append(spec)
        todo.extend((child, spec.children, depth + 1) for child in reversed(_children(element, "Code")))
    return top


def _walk(specs):
    todo = list(specs)
    while todo:
        spec = todo.pop()
        yield spec
        todo.extend(spec.children)


def _apply_sets(container, specs, report):
    """Kind sets give their member codes a kind; other sets of codes have no equivalent here.
    Sets of sources or notes (project files) are the project import's business."""
    by_guid = {spec.guid: spec for spec in _walk(specs)}
    sets = _child(container, "Sets")
    for element in _children(sets, "Set") if sets is not None else []:
        members = [m.get("guid") or m.get("targetGUID") or "" for m in _children(element, "MemberCode")]
        kind = next((k for k in ThemeKind.values if element.get("guid") == kind_set_guid(k)
                     or element.get("name") == KIND_SET_NAME.format(kind=k)), None)
        if kind:
            for guid in members:
                if guid in by_guid:
                    by_guid[guid].kind = kind
        elif members:
            report.unmapped.append(
                _("Code group «%(name)s» (%(n)s codes): pasto-coop has no code groups; its codes "
                  "were imported without it.") % {"name": element.get("name", ""), "n": len(members)}
            )


def _colour(value, index, name, report):
    if _COLOUR6.fullmatch(value):
        return value
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(c * 2 for c in value[1:])
    if re.fullmatch(r"#[0-9a-fA-F]{8}", value):
        report.warnings.append(_("«%(name)s»: colour %(colour)s has transparency, which was dropped.")
                               % {"name": name, "colour": value})
        return value[:7]
    if value:
        report.warnings.append(_("«%(name)s»: colour «%(colour)s» is not a #RRGGBB colour; it got one "
                                 "from the palette.") % {"name": name, "colour": value})
    return PALETTE[index % len(PALETTE)]


def _theme_name(raw, report):
    name = clean_theme_text(raw).replace("\n", " ")
    limit = Theme._meta.get_field("name").max_length
    if not name:
        name = _("Unnamed code")
        report.warnings.append(_("A code without a name was imported as «%(name)s».") % {"name": name})
    if len(name) > limit:
        report.warnings.append(_("«%(name)s…» is longer than %(limit)s characters and was shortened.")
                               % {"name": name[:40], "limit": limit})
        name = name[:limit].rstrip()
    return name


def codebook_import(*, study, codes, report):
    """Write CodeSpec trees into the study's codebook. A code whose name already sits under the
    same parent is merged into that theme: its empty description and criteria are filled in from
    the file, and nothing of ours is overwritten. Any other code becomes a new theme of the study,
    last among its siblings, inheriting its parent's kind unless the file gives one. Returns
    {guid: Theme}. Call inside a transaction; the callers here do."""
    existing, next_order, paths = {}, {}, {}
    for theme in Theme.objects.filter(study=study).order_by("pk"):
        existing[theme.parent_id, theme.name] = theme
        next_order[theme.parent_id] = max(next_order.get(theme.parent_id, 0), theme.order + 1)
    guids, created = {}, 0
    todo = [(spec, None) for spec in reversed(codes)]
    while todo:
        spec, parent = todo.pop()
        name = _theme_name(spec.name, report)
        parent_id = parent.pk if parent else None
        path = f"{paths[parent_id]} › {name}" if parent_id else name
        theme = existing.get((parent_id, name))
        if theme is None:
            theme = Theme(
                study=study, name=name, parent=parent, colour=_colour(spec.colour, created, path, report),
                kind=spec.kind or (parent.kind if parent else ThemeKind.ANALYTIC),
                description=spec.description, inclusion_criteria=spec.inclusion_criteria,
                exclusion_criteria=spec.exclusion_criteria, order=next_order.get(parent_id, 0),
                is_codable=spec.codable, **spec.second,
            )
            try:
                theme.clean_fields()
            except ValidationError as exc:
                raise CodebookFileError(_("Code «%(name)s» cannot be a theme: %(error)s")
                                        % {"name": path, "error": " ".join(exc.messages)}) from None
            theme.save()
            created += 1
            existing[parent_id, name] = theme
            next_order[parent_id] = theme.order + 1
            report.imported.append(_("Theme «%(path)s»") % {"path": path})
        else:
            filled = [f for f in ("description", "inclusion_criteria", "exclusion_criteria")
                      if getattr(spec, f) and not getattr(theme, f)]
            for f in filled:
                setattr(theme, f, getattr(spec, f))
            if filled:
                theme.save(update_fields=filled)
            report.merged.append(
                _("«%(path)s» is already in the codebook; kept as it is%(filled)s.")
                % {"path": path, "filled": _(", with its empty %(fields)s filled in from the file")
                   % {"fields": ", ".join(str(Theme._meta.get_field(f).verbose_name) for f in filled)}
                   if filled else ""}
            )
        paths[theme.pk] = path
        guids[spec.guid] = theme
        todo.extend((child, theme) for child in reversed(spec.children))
    return guids


def codebook_import_element(root, *, study, report):
    """Import the codebook in a parsed `<CodeBook>` (.qdc) or `<Project>` (.qde) element, with
    its kind sets, into the study. Elements are matched by local name, so odd namespaces pass
    (with a warning). Returns {guid: Theme} for every code in the file. Call inside a
    transaction."""
    kind = local_name(root.tag)
    if kind not in ("CodeBook", "Project"):
        raise CodebookFileError(_("This is not a REFI-QDA codebook: its root element is <%(root)s>.")
                                % {"root": kind})
    expected = NS_CODEBOOK if kind == "CodeBook" else NS_PROJECT
    if tag_namespace(root.tag) != expected:
        report.warnings.append(
            _("The file uses the namespace «%(found)s» rather than «%(expected)s»; it was read anyway.")
            % {"found": tag_namespace(root.tag), "expected": expected}
        )
    codebook = root if kind == "CodeBook" else _child(root, "CodeBook")
    codes = _child(codebook, "Codes") if codebook is not None else None
    specs = _code_specs(codes, report) if codes is not None else []
    _apply_sets(root, specs, report)
    return codebook_import(study=study, codes=specs, report=report)


def codebook_import_qdc(file, *, study, report=None):
    """Import a .qdc file (an open binary file or an upload) into the study's codebook, all or
    nothing. Raises CodebookFileError with a message for the user when the file cannot be read.
    Who may import is the view's business (coding.access)."""
    report = report if report is not None else ImportReport()
    root = parse_xml(read_upload(file))
    if local_name(root.tag) != "CodeBook":
        raise CodebookFileError(_("This is not a REFI-QDA codebook: its root element is <%(root)s>, "
                                  "not <CodeBook>.") % {"root": local_name(root.tag)})
    with transaction.atomic():
        codebook_import_element(root, study=study, report=report)
    return report
