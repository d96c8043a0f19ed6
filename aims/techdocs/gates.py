"""What a high-risk AI system needs before deployment, from its technical documentation: the
requirements held by ``pending`` entries in aims/inventory/gates.py, checked here."""

from __future__ import annotations

from aims.inventory.gates import is_high_risk, requirement, stages_from
from aims.inventory.models import AISystem, Stage

from .models import Kind, TechnicalDocument
from .services import current_documentation, latest_approved

ENTERING = stages_from(Stage.DEPLOYMENT)


def _version_name(system: AISystem) -> str:
    return f"version {system.version}" if system.version else "its present version (none given)"


def _no_documentation(system: AISystem) -> str:
    """Why there is no approved technical documentation for the system's present version."""
    detail = (
        f"No approved technical documentation for {_version_name(system)}. Write it under "
        "Technical documentation, submit it for review and have it approved."
    )
    older = latest_approved(system)
    if older is not None:
        detail += (
            f" The approved one is for version {older.system_version or '(none given)'}: start "
            "a new version from it for the present version."
        )
    waiting = (
        TechnicalDocument.objects.filter(
            system=system, kind=Kind.TECHNICAL, status__in=("draft", "in_review")
        )
        .order_by("-number")
        .first()
    )
    if waiting is not None:
        detail += f" Version {waiting.number} is {waiting.get_status_display().lower()}."
    return detail


@requirement(
    "technical_documentation",
    "Technical documentation is drawn up (high risk; A.6.2.7, EU AI Act Art. 11)",
    entering=ENTERING,
    applies=is_high_risk,
    order=200,
)
def _technical_documentation(system: AISystem) -> tuple[bool, str]:
    document = current_documentation(system)
    if document is None:
        return False, _no_documentation(system)
    missing = document.missing_sections()
    if missing:
        return False, (
            f"Version {document.number} (approved) leaves Annex IV sections empty: "
            f"{', '.join(missing)}. Start a new version and fill them."
        )
    return True, f"Version {document.number} approved for {_version_name(system)}."


@requirement(
    "human_oversight",
    "Human oversight measures are in place (high risk; EU AI Act Art. 14)",
    entering=ENTERING,
    applies=is_high_risk,
    order=200,
)
def _human_oversight(system: AISystem) -> tuple[bool, str]:
    missing = []
    if not system.human_oversight.strip():
        missing.append("the system's human oversight field is empty (edit the system)")
    document = current_documentation(system)
    if document is None:
        missing.append(
            f"there is no approved technical documentation for {_version_name(system)} to "
            "describe the oversight measures"
        )
    elif not document.oversight.strip():
        missing.append(
            f"the human oversight section of the approved documentation (version "
            f"{document.number}) is empty"
        )
    if missing:
        text = "; ".join(missing)
        return False, text[0].upper() + text[1:] + "."
    return True, f"Described on the system and in documentation version {document.number}."


@requirement(
    "event_logging",
    "Events are logged automatically (high risk; A.6.2.8, EU AI Act Art. 12)",
    entering=ENTERING,
    applies=is_high_risk,
    order=200,
)
def _event_logging(system: AISystem) -> tuple[bool, str]:
    document = current_documentation(system)
    if document is None:
        return False, (
            f"No approved technical documentation for {_version_name(system)}: its logging "
            "section says what events are logged, where and for how long."
        )
    if not document.logging.strip():
        return False, (
            f"The logging section of the approved documentation (version {document.number}) is "
            "empty: say what events are logged automatically, where and for how long."
        )
    return True, f"Logging described in documentation version {document.number}."
