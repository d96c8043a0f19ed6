"""A document's Markdown, shown as HTML: CommonMark without raw HTML, then sanitized.

The stored source is never changed. ``markdown-it-py`` renders it with ``html=False``, so markup
written into the source comes out as text; ``nh3`` (the Ammonia sanitizer) then keeps only the
tags and attributes listed below, whatever the renderer produced. Its output is the one value in
the app marked safe for templates (:func:`render_markdown`).
"""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# What a policy or procedure needs: headings, paragraphs, lists, emphasis, quotes, code,
# tables and links. No images (the CSP allows none from elsewhere), no forms, no scripts.
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "s",
    "del",
    "blockquote",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}  # no style attribute: the CSP refuses inline styles (a column's alignment is dropped)
URL_SCHEMES = {"http", "https", "mailto"}

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
# Only to notice raw HTML in the source (to say it was not rendered), never to render.
_html_finder = MarkdownIt("commonmark", {"html": True})


@dataclass(frozen=True)
class Rendered:
    html: SafeString
    had_raw_html: bool  # the source holds HTML, shown as text rather than rendered


def sanitize(html: str) -> str:
    """``html`` with only the allowed tags and attributes; links get rel="noopener noreferrer"."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def has_raw_html(source: str) -> bool:
    """Whether the Markdown holds raw HTML (a block or inline tag) that rendering leaves out."""

    def walk(tokens) -> bool:
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                return True
            if token.children and walk(token.children):
                return True
        return False

    return walk(_html_finder.parse(source or ""))


def render_markdown(source: str) -> Rendered:
    """The sanitized HTML of a Markdown source, ready for a template.

    The only ``mark_safe`` of the app: it wraps nh3's output, which holds nothing but the
    allow-listed tags and attributes above, never the user's text as such.
    """
    html = sanitize(_renderer.render(source or ""))
    return Rendered(html=mark_safe(html), had_raw_html=has_raw_html(source))  # noqa: S308
