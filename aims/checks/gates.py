"""Stage-gate requirement from the technical checks (registered when the app is ready)."""

from aims.inventory.gates import requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import Check, Kind


def _named(checks) -> str:
    return ", ".join(f"“{check.name}”" for check in checks)


@requirement(
    "fairness_check_passed",
    "Every fairness check passes, when the system affects individuals",
    entering=stages_from(Stage.DEPLOYMENT),
)
def _fairness_checks_passed(system: AISystem) -> tuple[bool, str]:
    """The latest run of each active fairness check of the system passed: one failing check
    is not hidden by another that passes."""
    if not system.affects_individuals:
        return True, "The system is not marked as affecting individuals."
    checks = list(
        Check.objects.filter(system=system, kind=Kind.FAIRNESS).active().order_by("name", "pk")
    )
    if not checks:
        return False, "No fairness check is defined. Define one and run it on a prediction log."
    failing, never_run, passing = [], [], []
    for check in checks:
        latest = check.latest_run()
        if latest is None:
            never_run.append(check)
        elif latest.passed:
            passing.append((check, latest))
        else:
            failing.append((check, latest))
    if not failing and not never_run:
        if len(passing) == 1:
            check, run = passing[0]
            return True, f"“{check.name}” passed on {run.started_at.date().isoformat()}."
        return True, f"The latest run of each of the {len(passing)} fairness checks passed."
    reasons = []
    if failing:
        runs = "; ".join(
            f"“{check.name}” ({run.get_status_display().lower()} on "
            f"{run.started_at.date().isoformat()})"
            for check, run in failing
        )
        reasons.append(f"The latest run did not pass: {runs}.")
    if never_run:
        reasons.append(f"Never run: {_named(never_run)}.")
    return False, " ".join(reasons)
