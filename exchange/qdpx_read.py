"""Read a .qdpx, .qde or .qdc file into plain records, safely and tolerantly. No database here.

Safety: XML goes through defusedxml (no entity expansion, no DTD-declared entities, no network
or file access). A zip is checked before anything is read: number of entries, each entry's size
and compression ratio, the total, unsafe names (absolute, `..`, drive letters) and encryption;
reads are bounded again, in case a header lies about a size.

Tolerance (see ../shared/refi-qda/NOTES.md): elements are matched by local name whatever the
namespace (`…:1.0`, `…:1:0`, `…:0:4`, none); `project.qde` may have another name when it is
the only .qde; `Sources/` is as good as `sources/`; empty containers (`<Sets/>`) are fine.
"""

import io
import zipfile
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse
from django.utils.translation import gettext_lazy as _

from coding.codebook_qdc import local_name, tag_namespace
from exchange.refi import guid_key, parse_datetime

MAX_ENTRIES = 20_000
MAX_ENTRY_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 100  # uncompressed / compressed, checked for entries over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
MAX_XML_BYTES = MAX_ENTRY_BYTES
SOURCE_TAGS = ("TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource")


class ExchangeError(Exception):
    """A file we refuse as a whole. The message is for the user; nothing has been saved."""


@dataclass(slots=True)
class Coding:
    code: str
    user: str
    created: object
    note_refs: list


@dataclass(slots=True)
class Selection:
    guid: str
    name: str
    start: int | None
    end: int | None
    user: str
    created: object
    description: str
    codings: list
    note_refs: list


@dataclass
class Source:
    guid: str
    kind: str
    name: str
    plain_text_path: str
    content: str | None
    rich_text_path: str
    user: str
    created: object
    modifier: str
    selections: list = field(default_factory=list)
    codings: list = field(default_factory=list)
    note_refs: list = field(default_factory=list)
    variables: list = field(default_factory=list)
    description: str = ""


@dataclass
class Code:
    guid: str
    name: str
    color: str
    description: str
    parent: str
    codable: bool
    note_refs: list


@dataclass
class Case:
    guid: str
    name: str
    description: str
    variables: list
    source_refs: list


@dataclass
class Note:
    guid: str
    name: str
    content: str | None
    plain_text_path: str
    user: str
    created: object
    selections: list
    description: str = ""
    note_refs: list = field(default_factory=list)


@dataclass
class Set:
    guid: str
    name: str
    description: str
    codes: list
    sources: list
    notes: list


@dataclass
class Project:
    root: str = ""
    namespace: str = ""
    name: str = ""
    origin: str = ""
    creating_user: str = ""
    description: str = ""
    users: dict = field(default_factory=dict)  # guid -> name
    codes: list = field(default_factory=list)  # document order: parents before children
    variables: dict = field(default_factory=dict)  # guid -> (name, type)
    variable_descriptions: dict = field(default_factory=dict)  # guid -> Description text
    cases: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    links: list = field(default_factory=list)  # (origin guid, target guid)
    sets: list = field(default_factory=list)
    note_refs: list = field(default_factory=list)
    ignored: dict = field(default_factory=dict)  # element name -> count (e.g. Graphs)
    tolerated: list = field(default_factory=list)  # deviations accepted, for the report
    archive: object = None


# ----- the archive -----

def _unsafe(name):
    parts = name.replace("\\", "/").split("/")
    return (
        name.startswith(("/", "\\")) or ".." in parts or "\x00" in name
        or (len(name) > 1 and name[1] == ":")
    )


class Archive:
    """A checked zip: `qde` names the project XML, `source(path)` reads an internal:// file."""

    def __init__(self, fileobj):
        try:
            self.zip = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ExchangeError(_("The file is not a readable zip archive (%(error)s).")
                                % {"error": exc}) from None
        infos = self.zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ExchangeError(_("The archive holds %(count)s entries; at most %(max)s are "
                                  "accepted.") % {"count": len(infos), "max": MAX_ENTRIES})
        total, seen = 0, set()
        for info in infos:
            if _unsafe(info.filename):
                raise ExchangeError(_("The archive holds an entry with an unsafe name "
                                      "(%(name)s); it was refused.") % {"name": info.filename})
            if info.filename in seen:
                raise ExchangeError(_("The archive holds two entries named %(name)s.")
                                    % {"name": info.filename})
            seen.add(info.filename)
            if info.flag_bits & 0x1:
                raise ExchangeError(_("The archive is encrypted (%(name)s).") % {"name": info.filename})
            if info.file_size > MAX_ENTRY_BYTES:
                raise ExchangeError(_("%(name)s unpacks to %(size)s bytes; at most %(max)s are "
                                      "accepted per file.")
                                    % {"name": info.filename, "size": info.file_size,
                                       "max": MAX_ENTRY_BYTES})
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ExchangeError(_("%(name)s is compressed more than %(ratio)s to 1, which "
                                      "only a zip bomb does; the archive was refused.")
                                    % {"name": info.filename, "ratio": MAX_RATIO})
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise ExchangeError(_("The archive unpacks to %(size)s bytes; at most %(max)s are "
                                  "accepted.") % {"size": total, "max": MAX_TOTAL_BYTES})
        files = [i for i in infos if not i.is_dir()]
        self.by_lower = {i.filename.replace("\\", "/").lower(): i for i in files}
        self.tolerated = []
        root_qdes = [i for i in files if "/" not in i.filename and i.filename.lower().endswith(".qde")]
        all_qdes = [i for i in files if i.filename.lower().endswith(".qde")]
        exact = [i for i in root_qdes if i.filename == "project.qde"]
        if exact:
            self.qde = exact[0]
        elif len(root_qdes) == 1 or (not root_qdes and len(all_qdes) == 1):
            self.qde = (root_qdes or all_qdes)[0]
            self.tolerated.append(_("The project XML is named %(name)s rather than project.qde.")
                                  % {"name": self.qde.filename})
        else:
            raise ExchangeError(_("The archive holds no project.qde (nor a single other .qde "
                                  "file), so it is not a REFI-QDA project."))
        folders = {n.split("/", 1)[0] for n in self.by_lower if "/" in n}
        named = {i.filename.replace("\\", "/").split("/", 1)[0] for i in files if "/" in i.filename}
        if "sources" in folders and "sources" not in named:
            self.tolerated.append(_("The sources folder is named %(name)s rather than sources.")
                                  % {"name": sorted(n for n in named if n.lower() == "sources")[0]})

    def open(self, info, limit=MAX_ENTRY_BYTES):
        return _Bounded(self.zip.open(info), limit, info.filename)

    def source(self, path):
        """The bytes of an internal:// path, or None when the archive lacks it."""
        name = path[len("internal://"):].lstrip("/")
        if not name or _unsafe(name):
            return None
        # Beside the .qde: an archive made by zipping a folder has it one level down.
        folder = self.qde.filename.replace("\\", "/").rpartition("/")[0].lower()
        info = self.by_lower.get(f"{folder}/sources/{name.lower()}".lstrip("/"))
        if info is None:
            return None
        with self.open(info) as handle:
            return handle.read()


class _Bounded(io.RawIOBase):
    """A reader that refuses to go past `limit` bytes, whatever the zip header claimed."""

    def __init__(self, raw, limit, name, owns=True):
        self.raw, self.left, self.name, self.owns = raw, limit, name, owns

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.raw.read(min(len(buffer), self.left + 1))
        if len(data) > self.left:
            raise ExchangeError(_("%(name)s is larger than its archive entry says, or larger "
                                  "than %(max)s bytes.") % {"name": self.name, "max": MAX_ENTRY_BYTES})
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        if self.owns:
            self.raw.close()
        super().close()


# ----- the XML -----

def _attr(el, name):
    return (el.get(name) or "").strip()


def _text(el, name):
    for child in el:
        if local_name(child.tag) == name:
            return child.text or ""
    return ""


def _int(value):
    try:
        return int(value.strip())
    except (AttributeError, ValueError):
        return None


def _refs(el, name="NoteRef"):
    return [guid_key(c.get("targetGUID")) for c in el if local_name(c.tag) == name and c.get("targetGUID")]


def _variables(el):
    values = []
    for vv in el:
        if local_name(vv.tag) != "VariableValue":
            continue
        ref, value = "", None
        for child in vv:
            if local_name(child.tag) == "VariableRef":
                ref = guid_key(child.get("targetGUID"))
            elif local_name(child.tag).endswith("Value"):
                value = (child.text or "").strip()
        if ref and value is not None:
            values.append((ref, value))
    return values


def _coding(el):
    code, notes = "", []
    for child in el:
        name = local_name(child.tag)
        if name == "CodeRef":
            code = guid_key(child.get("targetGUID"))
        elif name == "NoteRef" and child.get("targetGUID"):
            notes.append(guid_key(child.get("targetGUID")))
    return Coding(code, guid_key(el.get("creatingUser")), parse_datetime(el.get("creationDateTime")),
                  notes)


def _selection(el):
    """One pass over the children: a large project has 100,000 of these."""
    codings, notes, description = [], [], ""
    for child in el:
        name = local_name(child.tag)
        if name == "Coding":
            codings.append(_coding(child))
        elif name == "NoteRef" and child.get("targetGUID"):
            notes.append(guid_key(child.get("targetGUID")))
        elif name == "Description":
            description = child.text or ""
    return Selection(
        guid=guid_key(el.get("guid")), name=el.get("name") or "",
        start=_int(el.get("startPosition")), end=_int(el.get("endPosition")),
        user=guid_key(el.get("creatingUser")), created=parse_datetime(el.get("creationDateTime")),
        description=description, codings=codings, note_refs=notes,
    )


def _source(el):
    kind = local_name(el.tag)
    content = next((c.text or "" for c in el if local_name(c.tag) == "PlainTextContent"), None)
    source = Source(
        guid=guid_key(el.get("guid")), kind=kind, name=_attr(el, "name"),
        plain_text_path=_attr(el, "plainTextPath"), content=content,
        rich_text_path=_attr(el, "richTextPath") or _attr(el, "path"),
        user=guid_key(el.get("creatingUser")), created=parse_datetime(el.get("creationDateTime")),
        modifier=guid_key(el.get("modifyingUser")),
        note_refs=_refs(el), variables=_variables(el), description=_text(el, "Description"),
    )
    for child in el:
        name = local_name(child.tag)
        if name == "PlainTextSelection":
            source.selections.append(_selection(child))
        elif name == "Coding":
            source.codings.append(_coding(child))
    return source


def _codes(codes_el, out):
    """Walk a <Codes> tree without recursion (a hostile file may nest very deep)."""
    stack = [(c, "") for c in reversed(list(codes_el)) if local_name(c.tag) == "Code"]
    while stack:
        el, parent = stack.pop()
        key = guid_key(el.get("guid"))
        out.append(Code(
            guid=key, name=_attr(el, "name"), color=_attr(el, "color"),
            description=_text(el, "Description"), parent=parent,
            codable=_attr(el, "isCodable").lower() not in ("false", "0"), note_refs=_refs(el),
        ))
        stack.extend((c, key) for c in reversed(list(el)) if local_name(c.tag) == "Code")


def _section(project, el):
    name = local_name(el.tag)
    if name == "Users":
        for user in el:
            if local_name(user.tag) == "User" and user.get("guid"):
                project.users[guid_key(user.get("guid"))] = _attr(user, "name") or _attr(user, "id")
    elif name == "CodeBook":
        for codes in el:
            if local_name(codes.tag) == "Codes":
                _codes(codes, project.codes)
            elif local_name(codes.tag) == "Sets":
                _section(project, codes)
    elif name == "Codes":
        _codes(el, project.codes)
    elif name == "Variables":
        for var in el:
            if local_name(var.tag) == "Variable" and var.get("guid"):
                project.variables[guid_key(var.get("guid"))] = (_attr(var, "name"),
                                                                 _attr(var, "typeOfVariable"))
                project.variable_descriptions[guid_key(var.get("guid"))] = _text(var, "Description")
    elif name == "Cases":
        for case in el:
            if local_name(case.tag) == "Case":
                project.cases.append(Case(guid_key(case.get("guid")), _attr(case, "name"),
                                          _text(case, "Description"), _variables(case),
                                          _refs(case, "SourceRef")))
    elif name == "Notes":
        for note in el:
            if local_name(note.tag) == "Note":
                source = _source(note)
                project.notes[source.guid] = Note(source.guid, source.name, source.content,
                                                  source.plain_text_path, source.user,
                                                  source.created, source.selections,
                                                  source.description, source.note_refs)
    elif name == "Links":
        for link in el:
            if local_name(link.tag) == "Link":
                project.links.append((guid_key(link.get("originGUID")),
                                      guid_key(link.get("targetGUID"))))
    elif name == "Sets":
        for s in el:
            if local_name(s.tag) == "Set":
                members = [guid_key(c.get("targetGUID") or c.get("guid")) for c in s
                           if local_name(c.tag) == "MemberCode"]
                project.sets.append(Set(guid_key(s.get("guid")), _attr(s, "name"),
                                        _text(s, "Description"), members,
                                        _refs(s, "MemberSource"), _refs(s, "MemberNote")))
    elif name == "Description":
        project.description = el.text or ""
    elif name == "NoteRef":
        project.note_refs += [guid_key(el.get("targetGUID"))]
    else:
        project.ignored[name] = project.ignored.get(name, 0) + 1


def _parse(stream, project, progress):
    """Fill `project` from an XML stream, one top-level section (or one source) at a time, so
    a project with 100,000 selections never sits in memory as one element tree."""
    path, elements = [], []
    try:
        for event, el in iterparse(stream, events=("start", "end")):
            if event == "start":
                path.append(local_name(el.tag))
                elements.append(el)
                if len(path) == 1:
                    _root(project, el)
                continue
            depth = len(path)
            path.pop()
            elements.pop()
            if depth == 2 and local_name(el.tag) != "Sources":
                _section(project, el)
                elements[-1].remove(el)
            elif depth == 3 and path[1] == "Sources":
                if local_name(el.tag) in SOURCE_TAGS:
                    project.sources.append(_source(el))
                    if progress:
                        progress("reading", len(project.sources), None)
                elements[-1].remove(el)
    except (ParseError, DefusedXmlException) as exc:
        raise ExchangeError(_("The XML could not be read safely: %(error)s.") % {"error": exc}) from None
    except UnicodeDecodeError:
        raise ExchangeError(_("The XML is not valid UTF-8.")) from None
    if not project.root:
        raise ExchangeError(_("The file holds no XML."))


def _root(project, el):
    project.root = local_name(el.tag)
    if project.root not in ("Project", "CodeBook"):
        raise ExchangeError(_("The XML's root element is <%(name)s>, so this is not a REFI-QDA "
                              "project or codebook.") % {"name": project.root})
    project.namespace = tag_namespace(el.tag)
    expected = "urn:QDA-XML:project:1.0" if project.root == "Project" else "urn:QDA-XML:codebook:1.0"
    if project.namespace != expected:
        project.tolerated.append(_("The XML namespace is %(ns)s rather than %(expected)s.")
                                 % {"ns": project.namespace or "none", "expected": expected})
    project.name = _attr(el, "name")
    project.origin = _attr(el, "origin")
    project.creating_user = guid_key(el.get("creatingUserGUID"))


def project_read(fileobj, *, progress=None):
    """A Project from a .qdpx archive, or from a bare .qde or .qdc XML file.

    Raises ExchangeError for anything that is not a safe, readable REFI-QDA file."""
    head = fileobj.read(4)
    fileobj.seek(0)
    project = Project()
    if head.startswith(b"PK"):
        archive = Archive(fileobj)
        project.archive = archive
        project.tolerated += archive.tolerated
        with archive.open(archive.qde) as stream:
            _parse(io.BufferedReader(stream), project, progress)
        if project.root != "Project":
            raise ExchangeError(_("The archive's XML is a codebook, not a project."))
        return project
    _parse(io.BufferedReader(_Bounded(fileobj, MAX_XML_BYTES, "XML", owns=False)), project, progress)
    return project
