"""Stage gates: named requirements an AI system must meet before it enters a life-cycle stage.

The gates are a declarative list. Later capabilities add their own requirements with
:func:`requirement`; the system page and the transition service read the same list.

A requirement may apply only to some systems (``applies``: high-risk ones, say). One that an
area not built yet will check is registered with :func:`pending`: it is listed, and unmet, until
that area registers a requirement with the same code, which takes its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import AISystem, RiskTier, Stage

_FORWARD = [s for s in Stage if s != Stage.RETIRED]


@dataclass(frozen=True)
class Requirement:
    code: str
    label: str
    entering: frozenset[Stage]
    check: Callable[[AISystem], tuple[bool, str]]
    applies: Callable[[AISystem], bool] | None = None  # None: to every system
    pending: bool = False  # stands for a check an area not built yet will make
    order: int = 100  # among the requirements of a gate; then in the order registered

    def applies_to(self, system: AISystem) -> bool:
        return self.applies is None or self.applies(system)


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


def _add(new: Requirement) -> None:
    for index, existing in enumerate(REQUIREMENTS):
        if existing.code != new.code:
            continue
        if existing.pending:
            REQUIREMENTS[index] = new  # the area has arrived: its check takes the place held
            return
        if existing.check is new.check:
            return  # the same module read twice
        raise ValueError(f"gate requirement {new.code!r} is registered twice")
    REQUIREMENTS.append(new)


def requirement(
    code: str,
    label: str,
    *,
    entering: frozenset[Stage],
    applies: Callable[[AISystem], bool] | None = None,
    order: int = 100,
):
    """Register a gate requirement; the decorated function says whether a system meets it.

    ``applies`` limits it to the systems for which it returns true. A requirement with the code
    of a :func:`pending` one replaces it.
    """

    def register(check: Callable[[AISystem], tuple[bool, str]]):
        _add(Requirement(code, label, frozenset(entering), check, applies, order=order))
        return check

    return register


def pending(
    code: str,
    label: str,
    *,
    entering: frozenset[Stage],
    applies: Callable[[AISystem], bool] | None = None,
    arrives_with: str,
    order: int = 100,
) -> None:
    """Register a requirement OpenAIMS cannot check yet: always unmet, its detail saying which
    area will check it (``arrives_with``)."""

    def unmet(system: AISystem) -> tuple[bool, str]:
        return False, f"Arrives with {arrives_with}. Until then, this gate stays closed."

    _add(Requirement(code, label, frozenset(entering), unmet, applies, pending=True, order=order))


def evaluate(system: AISystem, stage: Stage) -> list[Result]:
    results = []
    for req in sorted(REQUIREMENTS, key=lambda req: req.order):
        if stage in req.entering and req.applies_to(system):
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


@requirement(
    "risk_tier",
    "The EU AI Act risk tier is classified and allows this stage",
    entering=stages_from(Stage.DEVELOPMENT),
)
def _risk_tier_allows(system: AISystem) -> tuple[bool, str]:
    if system.risk_tier == RiskTier.UNCLASSIFIED:
        return False, (
            "The system is not yet classified under the EU AI Act. Classify it first: edit the "
            "system and choose its risk tier."
        )
    if system.risk_tier == RiskTier.PROHIBITED:
        return False, (
            "Classified as a prohibited AI practice: the EU AI Act (Art. 5) forbids placing it "
            "on the market, putting it into service or using it, so it cannot move past planning."
        )
    return True, f"Classified as {system.get_risk_tier_display()}."


def is_high_risk(system: AISystem) -> bool:
    return system.risk_tier == RiskTier.HIGH


# What the EU AI Act asks of a high-risk system before it is placed on the market or put into
# service. The areas that record them come later; until then these stay unmet.
# (The impact assessment, which also applies to systems that affect individuals, is the
# impact area's requirement: aims/impact/gates.py.)
HIGH_RISK_REQUIREMENTS = [
    (
        "human_oversight",
        "Human oversight measures are in place (high risk; EU AI Act Art. 14)",
        "the human oversight area (ISO/IEC 42001 A.6.2.2, A.9)",
    ),
    (
        "technical_documentation",
        "Technical documentation is drawn up (high risk; A.6.2.7, EU AI Act Art. 11)",
        "the technical documentation area (ISO/IEC 42001 A.6.2.7)",
    ),
    (
        "event_logging",
        "Events are logged automatically (high risk; A.6.2.8, EU AI Act Art. 12)",
        "the event logging area (ISO/IEC 42001 A.6.2.8)",
    ),
]

for _code, _label, _area in HIGH_RISK_REQUIREMENTS:
    pending(
        _code,
        _label,
        entering=stages_from(Stage.DEPLOYMENT),
        applies=is_high_risk,
        arrives_with=_area,
        order=200,  # after what every system needs
    )
