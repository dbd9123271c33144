"""A memo's text as safe HTML.

Markdown (python-markdown) turns the simple formatting researchers type (paragraphs, lists,
*emphasis*, links) into HTML; nh3 then keeps only the tags and attributes in ALLOWED and drops
everything else: <script> with its content, event handlers (onclick=...), style, javascript:
and data: URLs. nh3 binds ammonia, a maintained Rust sanitiser built on html5ever, which parses
as browsers do; a hand-written filter or an escaping-only rule would either miss a trick or
lose the formatting, and bleach, its predecessor, is deprecated.
"""

import html

import markdown
import nh3
from django.utils.safestring import mark_safe

TAGS = {"p", "br", "ul", "ol", "li", "em", "strong", "a", "blockquote", "code"}
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}


def render_body(text):
    html = markdown.markdown(text or "", output_format="html")
    return mark_safe(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                               link_rel="noopener noreferrer nofollow"))


def plain_text(text):
    """The memo's words without formatting, for exports that cannot hold HTML (CSV, XLSX) and
    search snippets: the sanitised HTML with its tags removed."""
    return html.unescape(nh3.clean(render_body(text).replace("</p>", "</p>\n"), tags=set())).strip()
