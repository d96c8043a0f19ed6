"""Stage-gate requirements from the risk register (registered by the area)."""

from aims.core.forms import person_label
from aims.inventory.gates import requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import Risk, RiskAssessmentSignOff


def _listed(refs: list[str], limit: int = 5) -> str:
    more = f" and {len(refs) - limit} more" if len(refs) > limit else ""
    return ", ".join(refs[:limit]) + more


# The stages whose gate asks for a risk assessment of the system.
ASSESSMENT_ENTERING = stages_from(Stage.DEPLOYMENT)


@requirement("risks_assessed", "The system's risks are assessed", entering=ASSESSMENT_ENTERING)
def _risks_assessed(system: AISystem) -> tuple[bool, str]:
    """Assessed risks of the register name the system, or someone with authority signed, in
    its present stage, that assessing it found no significant risk."""
    refs = list(Risk.objects.assessed_for(system).order_by("ref").values_list("ref", flat=True))
    if refs:
        many = "risks" if len(refs) != 1 else "risk"
        return True, f"{len(refs)} assessed {many} of the register name it: {_listed(refs)}."
    current = RiskAssessmentSignOff.objects.current_for(system)
    if current is not None:
        return True, (
            f"No significant risks identified: signed by {_signer(current)} on "
            f"{current.signed_at.date().isoformat()} in {current.get_stage_at_signing_display()}."
        )
    latest = RiskAssessmentSignOff.objects.filter(system=system).select_related("signed_by").first()
    if latest is not None:
        return False, (
            f"The assessment signed by {_signer(latest)} on {latest.signed_at.date().isoformat()} "
            f"(in {latest.get_stage_at_signing_display()}) no longer counts: the system has "
            "changed since (its stage, version or intended use). Link its assessed risks, or have an Owner, AIMS Manager or top "
            "management sign a new assessment."
        )
    return False, (
        "No risk is assessed for this system: no risk of the register names it, and nobody with "
        "authority has signed that no significant risks were identified. Link its assessed "
        "risks, or have an Owner, AIMS Manager or top management sign on this system's page."
    )


def _signer(signoff: RiskAssessmentSignOff) -> str:
    who = person_label(signoff.signed_by) if signoff.signed_by else "a removed user"
    return f"{who}, {signoff.authority}" if signoff.authority else who


@requirement(
    "risks_within_appetite",
    "No risk is above appetite without an accepted treatment",
    entering=stages_from(Stage.DEPLOYMENT),
)
def _risks_within_appetite(system: AISystem) -> tuple[bool, str]:
    blocking = list(Risk.objects.blocking_deployment(system))
    if not blocking:
        return True, "Every risk is within appetite or has a current acceptance."
    refs = ", ".join(f"{r.ref} {r.title}" for r in blocking[:5])
    more = f" and {len(blocking) - 5} more" if len(blocking) > 5 else ""
    return False, f"Above appetite without a current acceptance: {refs}{more}."
