"""Stage-gate requirement from the technical checks (registered when the app is ready)."""

from aims.inventory.gates import requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import CheckRun, Kind


@requirement(
    "fairness_check_passed",
    "A passing fairness check, when the system affects individuals",
    entering=stages_from(Stage.DEPLOYMENT),
)
def _fairness_check_passed(system: AISystem) -> tuple[bool, str]:
    if not system.affects_individuals:
        return True, "The system is not marked as affecting individuals."
    latest = (
        CheckRun.objects.filter(
            definition__system=system, definition__kind=Kind.FAIRNESS, definition__is_active=True
        )
        .select_related("definition")
        .order_by("-started_at", "-pk")
        .first()
    )
    if latest is None:
        return False, "No fairness check has run. Define one and run it on a prediction log."
    when = latest.started_at.date().isoformat()
    if latest.passed:
        return True, f"“{latest.definition.name}” passed on {when}."
    return False, f"The latest fairness run (“{latest.definition.name}”, {when}) failed."
