"""What every REFI-QDA reader and writer here shares: namespaces, deterministic GUIDs, dates.

The standard: REFI-QDA 1.0 (Project and Codebook exchange). Notes on what real tools write, and
the schemas, are in ../shared/refi-qda/ (NOTES.md).
"""

import hashlib
import re
from datetime import UTC, datetime

from coding import codebook_qdc

NS_PROJECT = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
ORIGIN = "pasto-coop"

# Fixed for ever: every GUID we write is uuid5 of this namespace and "<kind>:<primary key>", so
# two exports of the same study carry the same GUIDs (and are byte-identical). It is the
# namespace coding/codebook_qdc.py uses, so a theme has the same GUID in a .qdc and a .qdpx.
GUID_NAMESPACE = codebook_qdc.GUID_NAMESPACE
_NAMESPACE_BYTES = GUID_NAMESPACE.bytes


def guid(kind, *keys):
    """The GUID of one exported object, e.g. guid("theme", 7) or guid("coding", 12, 7):
    uuid5(GUID_NAMESPACE, "theme:7"), written out by hand because uuid.uuid5 builds a UUID
    object each time, which a 100,000-excerpt export notices (about 4 s of 15)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + ":".join([kind, *map(str, keys)]).encode()).digest())
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest[:16].hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def guid_key(value):
    """How GUIDs compare on import: braces, case and surrounding space do not matter."""
    return value.strip().strip("{}").strip().lower() if value else ""


# Characters XML 1.0 cannot carry at all. The export replaces them by U+FFFD; the import
# compares a selection's name with its text the same way.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# A theme's criteria travel inside its <Description> and its kind as a <Set>, in .qdc and .qdpx
# alike (the codebook schema has no NoteRef on codes): one convention, kept in
# coding/codebook_qdc.py, so a codebook reads the same from either file.
from coding.codebook_qdc import (  # noqa: E402
    EXCLUSION,
    INCLUSION,
    KIND_SET_DESCRIPTION,
    KIND_SET_NAME,
    description_compose,
    description_parse,
    second_language_parse,
)
from coding.models import second_language  # noqa: E402

__all__ = [
    "EXCLUSION", "INCLUSION", "KIND_SET_DESCRIPTION", "KIND_SET_NAME", "description_compose",
    "description_parse", "second_language", "second_language_parse",
]

# REFI-QDA has no place for a project's language; the project <Description> ends with this
# paragraph, which the import reads back (and takes out of the study's description).
STUDY_LANGUAGE = "Study language: "
_STUDY_LANGUAGE_AT = re.compile(
    r"(?:\A|\n\n)" + re.escape(STUDY_LANGUAGE) + r"([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\s*\Z")


def study_description_compose(study):
    """The project <Description>: the study's description, then "Study language: es"."""
    return "\n\n".join(part for part in (study.description, STUDY_LANGUAGE + study.language) if part)


def study_description_parse(text):
    """(description, language tag or ""): the inverse of study_description_compose; another
    tool's description comes back whole, with no language."""
    found = _STUDY_LANGUAGE_AT.search(text or "")
    if found is None:
        return text or "", ""
    return text[: found.start()], found.group(1)


def xml_datetime(value):
    """An aware datetime as xsd:dateTime in UTC, with microseconds only when there are some."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def parse_datetime(value):
    """xsd:dateTime as an aware datetime (UTC when no zone is given), or None if unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
