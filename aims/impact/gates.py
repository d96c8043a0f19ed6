"""The stage-gate requirement of the impact assessment area (registered when area.py is read):
a system that affects individuals, or is high risk, enters deployment and later stages only
with a current signed-off impact assessment. It takes the place of the pending requirement the
inventory held for it."""

from aims.core.forms import person_label
from aims.inventory.gates import requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import ImpactAssessment, Status, needs_assessment

ENTERING = stages_from(Stage.DEPLOYMENT)


def _signer(assessment: ImpactAssessment) -> str:
    who = person_label(assessment.signed_by) if assessment.signed_by else "a removed user"
    return f"{who}, {assessment.signer_authority}" if assessment.signer_authority else who


@requirement(
    "impact_assessment",
    "A current impact assessment is signed off (affects individuals or high risk; A.5, "
    "EU AI Act Art. 27)",
    entering=ENTERING,
    applies=needs_assessment,
    order=199,  # after what every system needs, before the other high-risk requirements
)
def _impact_assessed(system: AISystem) -> tuple[bool, str]:
    signed = (
        ImpactAssessment.objects.filter(system=system, status=Status.SIGNED_OFF)
        .select_related("signed_by", "system")
        .first()
    )
    if signed is not None:
        signed.system = system
        when = signed.signed_at.date().isoformat()
        if signed.is_stale:
            changed = system.basis_changed_at.date().isoformat()
            return False, (
                f"“{signed.title}”, signed off on {when}, no longer counts: the system changed "
                f"on {changed} (its stage, version or intended use). Reassess it and have "
                "someone with authority sign the reassessment off."
            )
        if signed.is_overdue():
            return False, (
                f"“{signed.title}” was due for reassessment on "
                f"{signed.next_reassessment.isoformat()}: the reassessment is overdue. Reassess "
                "it and have it signed off."
            )
        return True, (
            f"“{signed.title}” signed off by {_signer(signed)} on {when}; next reassessment "
            f"{signed.next_reassessment.isoformat()}."
        )
    waiting = ImpactAssessment.objects.filter(system=system).open().order_by("-pk").first()
    if waiting is not None and waiting.status == Status.SUBMITTED:
        return False, (
            f"“{waiting.title}” is submitted for review but not signed off: an Owner, AIMS "
            "Manager or top management who did not write it signs it off."
        )
    if waiting is not None:
        return False, (
            f"“{waiting.title}” is a draft, not signed off: complete it, submit it for review "
            "and have someone with authority sign it off."
        )
    return False, (
        "No impact assessment of this system exists. It affects individuals or is high risk: "
        "write one (Impact assessments), then have someone with authority sign it off."
    )
