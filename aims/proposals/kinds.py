"""The kinds of change that may be proposed, each registered by its area (hook
``"proposal_kinds"``): how to apply an approved proposal, and what it is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aims.core.areas import hooks


@dataclass(frozen=True)
class ProposalKind:
    """One kind of change: ``apply(proposal, actor)`` makes it, as the approver, inside the
    approval's transaction (a refusal there leaves the proposal open, saying why)."""

    name: str  # "inventory.transition"
    label: str  # "Stage change"
    apply: Callable[[Any, Any], None]
    record: Callable[[Any], Any]  # fn(proposal) -> the record it is about, or None


def proposal_kinds() -> dict[str, ProposalKind]:
    return {kind.name: kind for kind in (fn() for fn in hooks("proposal_kinds"))}


def kind_of(name: str) -> ProposalKind:
    kinds = proposal_kinds()
    if name not in kinds:
        raise ValueError(f"unknown kind of proposal {name!r}; registered: {', '.join(kinds)}")
    return kinds[name]
