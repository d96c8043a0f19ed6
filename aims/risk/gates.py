"""Stage-gate requirement from the risk register (registered by the area)."""

from aims.inventory.gates import requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import Risk


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
