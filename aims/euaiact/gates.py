"""The stage-gate requirements of the EU AI Act area (registered when area.py is read).

* A system with a signed classification leaves planning, and enters each later stage, only while
  that classification is current: a new intended use, purpose or role asks for it to be done
  again (the tier may change with it).
* A high-risk system enters deployment, and operation, only when every obligation the Act puts
  on it for the organization's roles is met (:func:`aims.euaiact.obligations.obligations_of`).
"""

from __future__ import annotations

from aims.inventory.gates import is_high_risk, requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import Classification
from .obligations import State, obligations_of


def _signed(system: AISystem) -> Classification | None:
    return Classification.objects.signed().filter(system=system).first()


def has_signed_classification(system: AISystem) -> bool:
    return Classification.objects.signed().filter(system=system).exists()


@requirement(
    "act_classification",
    "The EU AI Act classification is current",
    entering=stages_from(Stage.DEVELOPMENT),
    applies=has_signed_classification,
)
def _classification_current(system: AISystem) -> tuple[bool, str]:
    signed = _signed(system)
    if signed is None:  # deleted since: the tier's own requirement speaks for it
        return True, "No signed classification."
    changed = signed.changed_basis(system)
    if changed:
        return False, (
            f"Classification {signed.number} was signed before the system's "
            f"{', '.join(changed)} changed: classify it again and have it signed."
        )
    return True, (
        f"Classification {signed.number}, signed on {signed.signed_at.date().isoformat()}: "
        f"{signed.get_tier_display()}."
    )


@requirement(
    "act_obligations",
    "The EU AI Act obligations are met (high risk)",
    entering=stages_from(Stage.DEPLOYMENT),
    applies=is_high_risk,
    order=210,  # after the other high-risk requirements, which it sums up
)
def _obligations_met(system: AISystem) -> tuple[bool, str]:
    found = obligations_of(system)
    waiting = [o for o in found if o.state != State.MET]
    if not waiting:
        return True, f"All {len(found)} obligations met."
    listed = "; ".join(
        f"{o.spec.article} {o.spec.title} ({o.state.label.lower()})" for o in waiting
    )
    return False, f"{len(waiting)} of {len(found)} obligations not met: {listed}."
