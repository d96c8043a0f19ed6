"""Freezing a held review's inputs as plain data, so its minutes show what was reviewed."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace

from django.template.loader import render_to_string

from aims.core.areas import Section
from aims.organizations.models import Membership

from ..models import ManagementReview
from .base import CONTRIBUTED, InputSection, Item, period_of
from .compiled import READINESS_MISSING, compile_inputs, contributed

# Text pieces joined with spaces leave one before a stop ("assessment , assessed"): drop it.
SPACE_BEFORE_STOP = re.compile(r" ([.,;:)])")


class _Blocks(HTMLParser):
    """The text of a rendered section, block by block, with the first link of each block: what
    a contributed section said, kept as plain data (never as markup)."""

    BLOCKS = {"h1", "h2", "h3", "h4", "h5", "p", "li", "tr", "dt", "dd", "caption", "summary"}
    SKIPPED = {"script", "style", "form", "button", "select", "textarea", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Item] = []
        self.text: list[str] = []
        self.url = ""
        self.tag = ""
        self.skipping = 0

    def flush(self):
        text = SPACE_BEFORE_STOP.sub(r"\1", " ".join(" ".join(self.text).split()))
        if text:
            self.blocks.append(Item(text[:500], self.url, heading=self.tag[:1] == "h"))
        self.text, self.url, self.tag = [], "", ""

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.flush()
            self.tag = tag
        elif tag in ("td", "th") and self.text:
            self.text.append(" · ")
        elif tag == "a" and not self.url:
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.url = href

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def section_as_data(section: Section, *, review, index: int) -> InputSection:
    """A contributed section, rendered as it is now, kept as text and links."""
    html = render_to_string(
        section.template,
        {"section": section.context, "org": review.organization, "review": review, "frozen": True},
    )
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser.flush()
    blocks = parser.blocks
    title = "Contributed input"
    if blocks and blocks[0].heading:
        title = blocks.pop(0).label
    return InputSection(
        f"{CONTRIBUTED}{index}", title[:200], items=blocks[:40], empty="Nothing was recorded."
    )


def compile_as_data(review: ManagementReview, *, request=None, actor=None) -> tuple[dt.date, list]:
    """The inputs of ``review`` as they are now, every section as plain data (the contributed
    ones as their text and links): what is stored when it is held, and what the API gives."""
    period = period_of(review)
    sections = compile_inputs(review, period)
    if request is None:
        membership = Membership.objects.filter(
            organization=review.organization, user_id=getattr(actor, "pk", None)
        ).first()
        request = SimpleNamespace(
            org=review.organization, user=actor, membership=membership, GET={}, POST={}
        )
    extra = contributed(review, request)
    if extra:
        sections += [
            section_as_data(section, review=review, index=n) for n, section in enumerate(extra)
        ]
    else:
        sections.append(READINESS_MISSING)
    return period.since, [section.as_dict() for section in sections]


def freeze_inputs(review: ManagementReview, *, request=None, actor=None) -> tuple[dt.date, list]:
    """The inputs to store with ``review`` when it is held."""
    return compile_as_data(review, request=request, actor=actor)


def frozen_sections(review: ManagementReview) -> list[InputSection]:
    return [InputSection.from_dict(data) for data in review.inputs or []]
