"""The study journal as a Word document, for a methods appendix."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

from memos.formatting import plain_text

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _links(memo):
    parts = [*(t.title for t in memo.transcripts.all()),
             *(f"{s.transcript.title} «{s.quote[:80]}»" for s in memo.spans.all()),
             *(t.name for t in memo.themes.all()), *(p.code for p in memo.participants.all()),
             *(m.title for m in memo.linked_memos.all())]
    return "; ".join(parts)


def journal_docx(study, memos):
    """Each memo (in the journal's order): its title, then type, author and dates, what it
    links to, and its words, paragraph by paragraph, lists as lists."""
    doc = Document()
    doc.core_properties.title = _("Study journal · %(name)s") % {"name": study.name}
    doc.add_heading(_("Study journal · %(name)s") % {"name": study.name}, level=0)
    doc.add_paragraph(_("Exported %(date)s") % {"date": f"{timezone.localtime():%Y-%m-%d %H:%M}"})
    for memo in memos:
        doc.add_heading(memo.title, level=1)
        meta = doc.add_paragraph()
        meta.add_run(f"{memo.get_type_display()} · {getattr(memo.author, 'username', '')} · "
                     f"{memo.created_at:%Y-%m-%d} / {memo.updated_at:%Y-%m-%d}").italic = True
        links = _links(memo)
        if links:
            doc.add_paragraph(_("Linked to: %(links)s") % {"links": links})
        for line in memo.body.replace("\r\n", "\n").split("\n"):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped[:2] in ("- ", "* "):
                doc.add_paragraph(_plain(stripped[2:]), style="List Bullet")
            elif stripped.split(". ", 1)[0].isdigit() and ". " in stripped:
                doc.add_paragraph(_plain(stripped.split(". ", 1)[1]), style="List Number")
            else:
                doc.add_paragraph(_plain(stripped))
    if not memos:
        doc.add_paragraph(_("No memos match."))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _plain(line):
    return plain_text(line)
