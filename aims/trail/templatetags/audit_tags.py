"""The change trail in words: what changed in a recorded event, as a person reads it.

An event stores ``changes`` as ``{field name: [before, after]}`` with the values as saved
(choice codes, lists, dicts such as the five whys of a nonconformity). :func:`describe_changes`
turns them into :class:`Change` rows: the field's verbose name instead of its name, the choice's
label instead of its code, lists and dicts as lines with what was added and removed, and long
texts as a word diff. Every value is user text: the template escapes it, and the word diff is
built with ``format_html``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# A text longer than this, or with a line break, is shown as a word diff in a fold.
LONG_TEXT = 120
EMPTY = "—"
# Below this share of words in common, a changed text shows before and after whole, not a diff.
REWRITTEN = 0.5


def _humanize(name: str) -> str:
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "—"


@register.filter
def audit_value(value) -> str:
    """A stored field value as a person reads it: lists joined, empty shown as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_line(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_humanize(k)}: {audit_value(v)}" for k, v in value.items())
    return str(value)


def _line(value) -> str:
    """One item of a list as one line: a dict as "Why: …; Because: …"."""
    if isinstance(value, dict):
        return "; ".join(f"{_humanize(k)}: {audit_value(v)}" for k, v in value.items())
    return audit_value(value)


@register.filter
def field_label(name: str) -> str:
    return _humanize(name)


@lru_cache(maxsize=512)
def _field(record_type: str, name: str):
    """The model field ``name`` of ``record_type`` ("risk.risk"), or None when either is gone."""
    try:
        model = apps.get_model(record_type)
    except (LookupError, ValueError):
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(model_field, name: str) -> str:
    verbose = getattr(model_field, "verbose_name", None)
    return _humanize(verbose if verbose else name)


def _choice_labels(model_field) -> dict:
    choices = getattr(model_field, "flatchoices", None) or []
    return {str(code): str(label) for code, label in choices}


def _read(value, labels: dict):
    """A value with choice codes replaced by their labels (inside lists too)."""
    if labels:
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value) in labels:
            return labels[str(value)]
        if isinstance(value, list):
            return [_read(v, labels) for v in value]
    return value


def _is_long(value) -> bool:
    return isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value)


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> SafeString:
    """``after`` with the words removed since ``before`` struck through and the new ones marked,
    as escaped HTML. Changed words separated only by spaces read as one change."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    segments: list[list] = []  # ["same", text] or ["changed", removed, added]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(old[a1:a2]), "".join(new[b1:b2])
        if op == "equal":
            segments.append(["same", added])
            continue
        if (
            len(segments) >= 2
            and segments[-1][0] == "same"
            and not segments[-1][1].strip()
            and segments[-2][0] == "changed"
        ):
            space = segments.pop()[1]
            segments[-1][1] += space + removed
            segments[-1][2] += space + added
        else:
            segments.append(["changed", removed, added])
    parts = []
    for segment in segments:
        if segment[0] == "same":
            parts.append(format_html("{}", segment[1]))
            continue
        if segment[1]:
            parts.append(format_html("<del>{}</del>", segment[1]))
        if segment[2]:
            parts.append(format_html("<ins>{}</ins>", segment[2]))
    return format_html_join("", "{}", ((p,) for p in parts))


@dataclass
class Change:
    """One changed field of an event, ready for ``trail/_changes.html``.

    ``kind`` says how to show it: "value" (``before`` → ``after``), "lines" (``added`` and
    ``removed`` lines, or every line of ``after`` when the record was created), "text" (a long
    text: ``diff`` is its word diff; ``after`` alone when created or deleted).
    """

    label: str
    kind: str
    before: str = EMPTY
    after: str = EMPTY
    had_before: bool = True
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    diff: SafeString | str = ""
    words_removed: int = 0
    words_added: int = 0

    @property
    def fold(self) -> bool:
        """Whether the change is long enough to fold behind a summary."""
        return self.kind == "text" or len(self.lines) + len(self.added) + len(self.removed) > 6


def _as_lines(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [_line(v) for v in value]
    if isinstance(value, dict):
        return [f"{_humanize(k)}: {audit_value(v)}" for k, v in value.items()]
    return [audit_value(value)]


def describe_change(record_type: str, name: str, pair) -> Change:
    model_field = _field(record_type, name)
    label = _label(model_field, name)
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        pair = [None, pair]
    labels = _choice_labels(model_field) if model_field is not None else {}
    before, after = (_read(v, labels) for v in pair)
    had_before = pair[0] is not None
    if isinstance(before, list | dict) or isinstance(after, list | dict):
        old, new = _as_lines(before), _as_lines(after)
        if not had_before:  # created: every line it was created with
            return Change(label, "lines", had_before=False, lines=new)
        if after is None:  # deleted: every line it had
            return Change(label, "lines", lines=old)
        return Change(
            label,
            "lines",
            added=[line for line in new if line not in old],
            removed=[line for line in old if line not in new],
            lines=new,
        )
    if _is_long(before) or _is_long(after):
        old, new = str(before or ""), str(after or "")
        if not old.strip() or after is None:  # written afresh, or deleted: the text whole
            return Change(label, "text", had_before=had_before, after=new or old)
        words_old, words_new = old.split(), new.split()
        matcher = difflib.SequenceMatcher(a=words_old, b=words_new, autojunk=False)
        same = sum(block.size for block in matcher.get_matching_blocks())
        if matcher.ratio() < REWRITTEN:  # rewritten: before and after, each whole
            diff = format_html('<del class="block">{}</del><ins class="block">{}</ins>', old, new)
        else:
            diff = word_diff(old, new)
        return Change(
            label,
            "text",
            diff=diff,
            words_removed=len(words_old) - same,
            words_added=len(words_new) - same,
        )
    return Change(
        label,
        "value",
        before=audit_value(before),
        after=audit_value(after),
        had_before=had_before,
    )


@lru_cache(maxsize=256)
def _field_order(record_type: str) -> dict[str, int]:
    """The position of each field in its model, so changes read in the order of the form."""
    try:
        model = apps.get_model(record_type)
    except (LookupError, ValueError):
        return {}
    return {f.name: i for i, f in enumerate(model._meta.get_fields())}


def describe_changes(record_type: str, changes) -> list[Change]:
    if not isinstance(changes, dict):
        return []
    order = _field_order(record_type)
    names = sorted(changes, key=lambda name: (order.get(name, len(order)), str(name)))
    return [describe_change(record_type, name, changes[name]) for name in names]


@register.inclusion_tag("trail/_changes.html")
def event_changes(event):
    """The changes of an :class:`~aims.trail.models.AuditEvent`, in words."""
    return {"changes": describe_changes(event.record_type, event.changes), "event": event}
