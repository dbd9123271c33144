"""What an import did, for the report page and the command line."""

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MAX_EXAMPLES = 5
LABELS = {
    "users": ngettext_lazy("%(count)s user", "%(count)s users", "count"),
    "themes": ngettext_lazy("%(count)s theme", "%(count)s themes", "count"),
    "participants": ngettext_lazy("%(count)s participant", "%(count)s participants", "count"),
    "transcripts": ngettext_lazy("%(count)s transcript", "%(count)s transcripts", "count"),
    "excerpts": ngettext_lazy("%(count)s excerpt", "%(count)s excerpts", "count"),
    "codings": ngettext_lazy("%(count)s coding", "%(count)s codings", "count"),
    "memos": ngettext_lazy("%(count)s memo", "%(count)s memos", "count"),
    "study_memos": ngettext_lazy("%(count)s memo in the journal", "%(count)s memos in the journal", "count"),
    "attributes": ngettext_lazy("%(count)s attribute", "%(count)s attributes", "count"),
    "attribute_values": ngettext_lazy("%(count)s attribute value", "%(count)s attribute values", "count"),
}


@dataclass
class Issue:
    message: str
    count: int = 0
    examples: list = field(default_factory=list)


class ImportReport:
    """What an import did: the study it created, counts imported and merged (users matched to
    existing accounts), deviations it tolerated, and what it skipped or could not map, each with
    a count and a few examples."""

    def __init__(self, file_name=""):
        self.file_name = file_name
        self.origin = ""
        self.study = None  # the study the import created
        self.imported = Counter()
        self.merged = Counter()
        self.tolerated = []
        self.skipped = {}
        self.unmapped = {}

    def _add(self, issues, key, message, example):
        issue = issues.setdefault(key, Issue(str(message)))
        issue.count += 1
        if example and len(issue.examples) < MAX_EXAMPLES and str(example) not in issue.examples:
            issue.examples.append(str(example))

    def skip(self, key, message, example=None):
        self._add(self.skipped, key, message, example)

    def unmap(self, key, message, example=None):
        self._add(self.unmapped, key, message, example)

    def tolerate(self, message):
        if str(message) not in self.tolerated:
            self.tolerated.append(str(message))

    def counts(self, counter):
        """["3 themes", "1 transcript", …] in a fixed order, for the report page and the command."""
        return [LABELS[key] % {"count": counter[key]} for key in LABELS if counter[key]]

    def sections(self):
        """[(heading, anchor, [Issue])]: what was skipped, unmapped or tolerated."""
        return [
            (_("Skipped"), "skipped", list(self.skipped.values())),
            (_("Could not be mapped"), "unmapped", list(self.unmapped.values())),
            (_("Read although it deviates from the standard"), "tolerated",
             [Issue(message) for message in self.tolerated]),
        ]

    def context(self):
        return {"report": self, "imported": self.counts(self.imported),
                "merged": self.counts(self.merged), "sections": self.sections()}

    def lines(self):
        """The report as plain text lines, for the command line."""
        out = [_("New study: %(name)s (%(slug)s)") % {"name": self.study.name, "slug": self.study.slug}
               ] if self.study else []
        out += [f"{_('Imported')}: {', '.join(self.counts(self.imported)) or '-'}",
                f"{_('Merged')}: {', '.join(self.counts(self.merged)) or '-'}"]
        for heading, _anchor, issues in self.sections():
            for issue in issues:
                count = f" ({issue.count})" if issue.count else ""
                examples = f" {_('For example:')} {'; '.join(issue.examples)}" if issue.examples else ""
                out.append(f"{heading}: {issue.message}{count}{examples}")
        return out
