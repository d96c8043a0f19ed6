"""Stage gates: named requirements an AI system must meet before it enters a life-cycle stage.

The gates are a declarative list. Later capabilities add their own requirements with
:func:`requirement`; the system page and the transition service read the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import AISystem, Stage

_FORWARD = [s for s in Stage if s != Stage.RETIRED]


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    entering: frozenset[Stage]
    check: Callable[[AISystem], tuple[bool, str]]


@dataclass(frozen=True)
class Result:
    requirement: Requirement
    met: bool
    detail: str

    @property
    def label(self) -> str:
        return self.requirement.label


REQUIREMENTS: list[Requirement] = []


def stages_from(stage: Stage) -> frozenset[Stage]:
    """The stage given and every forward stage after it."""
    return frozenset(_FORWARD[_FORWARD.index(stage) :])


def requirement(code: str, label: str, *, entering: frozenset[Stage]):
    """Register a gate requirement; the decorated function says whether a system meets it."""

    def register(check: Callable[[AISystem], tuple[bool, str]]):
        REQUIREMENTS.append(Requirement(code, label, frozenset(entering), check))
        return check

    return register


def evaluate(system: AISystem, stage: Stage) -> list[Result]:
    results = []
    for req in REQUIREMENTS:
        if stage in req.entering:
            met, detail = req.check(system)
            results.append(Result(req, met, detail))
    return results


@requirement("owner", "An accountable owner is set", entering=stages_from(Stage.DEVELOPMENT))
def _owner_is_set(system: AISystem) -> tuple[bool, str]:
    if system.owner_id:
        return True, f"Owner: {system.owner.get_full_name() or system.owner.get_username()}"
    return False, "No owner is set. Edit the system and choose an owner."


@requirement("intended_use", "The intended use is written", entering=stages_from(Stage.DEVELOPMENT))
def _intended_use_written(system: AISystem) -> tuple[bool, str]:
    if system.intended_use.strip():
        return True, "Intended use is documented."
    return False, "The intended use is empty. Describe who uses the system, for what and how."
