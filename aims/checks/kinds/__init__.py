"""The kinds of check, one module each: what a fairness, performance, drift or data-quality
check reads (its options and their defaults, its form fields), what it requires before it is
saved, how it computes a run, and what its run page shows. ``KINDS`` maps each
:class:`~aims.checks.models.Kind` to its module's object; :func:`kind_of` finds it.
"""

from __future__ import annotations

from ..models import Kind
from . import drift, fairness, performance, quality
from .base import CheckKind

KINDS: dict[Kind, CheckKind] = {
    module.KIND.kind: module.KIND for module in (fairness, performance, drift, quality)
}


def kind_of(check_or_kind) -> CheckKind:
    """The kind of a check, or of a kind given by its name (``"drift"`` or its ``Kind``)."""
    return KINDS[Kind(getattr(check_or_kind, "kind", check_or_kind))]


__all__ = ["KINDS", "CheckKind", "kind_of"]
