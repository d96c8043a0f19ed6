"""The open nonconformities as an OSCAL plan of action and milestones.

Each nonconformity not closed is a POA&M item, and a risk of the document that the item names:
the risk holds its status, root cause, deadline (the latest due date of its open corrective
actions) and one remediation whose tasks are its corrective actions, each with its due date and
status. OSCAL requires a POA&M to hold one item at least: with no open nonconformity there is
no document (:func:`poam_refusal`), and the pages say so instead.
"""

from __future__ import annotations

from django.db.models import Max, Prefetch

from aims.nonconformities.models import (
    ActionStatus,
    CorrectiveAction,
    Nonconformity,
    Status,
)

from .common import Linker, document, latest, line, metadata, org_uuid, prop, relative, token, when

# How a nonconformity's status reads as an OSCAL risk status (its own is a property beside it).
RISK_STATUS = {
    Status.OPEN: "open",
    Status.IN_PROGRESS: "remediating",
    Status.REVIEW: "remediating",
    Status.EFFECTIVE: "remediating",
}


def open_nonconformities(organization) -> list[Nonconformity]:
    found = list(
        Nonconformity.objects.for_org(organization)
        .open()
        .select_related("system")
        .prefetch_related(
            "controls",
            "clauses",
            Prefetch("actions", queryset=CorrectiveAction.objects.order_by("due_date", "pk")),
        )
        .order_by("ref", "pk")
    )
    for nc in found:
        nc.organization = organization
    return found


def last_modified(organization):
    """The latest change to any nonconformity or action of the organization: closing one
    changes the plan too, though it leaves it."""
    changed = Nonconformity.objects.for_org(organization).aggregate(at=Max("updated_at"))["at"]
    acted = CorrectiveAction.objects.for_org(organization).aggregate(at=Max("updated_at"))["at"]
    return latest([changed, acted], organization.created_at)


def poam_refusal(nonconformities: list[Nonconformity]) -> str | None:
    if not nonconformities:
        return (
            "No nonconformity is open: a plan of action and milestones holds one item at "
            "least, so there is nothing to export."
        )
    return None


def _task(org, action: CorrectiveAction) -> dict:
    return {
        "uuid": org_uuid(org, "corrective-action", action.pk),
        "type": "action",
        "title": line(action.title, f"Action {action.pk}"),
        "description": action.description,
        "props": [
            prop("action-status", token(action.status)),
            *([prop("done-on", action.done_on.isoformat())] if action.done_on else []),
        ],
        "timing": {"on-date": {"date": when(action.due_date)}},
        "remarks": action.note,
    }


def _risk(org, nc: Nonconformity, link: Linker) -> dict:
    actions = list(nc.actions.all())
    due = [a.due_date for a in actions if a.status == ActionStatus.OPEN]
    lifecycle = "planned" if due or not actions else "completed"
    return {
        "uuid": org_uuid(org, "nonconformity", nc.pk, "risk"),
        "title": line(str(nc), nc.ref),
        "description": nc.description,
        "statement": nc.root_cause.strip() or "Root cause not found yet.",
        "props": [prop("nonconformity-status", token(nc.status))],
        "status": RISK_STATUS.get(Status(nc.status), "open"),
        "deadline": when(max(due)) if due else None,
        "remediations": [
            {
                "uuid": org_uuid(org, "nonconformity", nc.pk, "remediation"),
                "lifecycle": lifecycle,
                "title": "Corrective actions",
                "description": nc.containment.strip()
                or "The corrective actions that remove the cause (10.2 c).",
                "tasks": [_task(org, action) for action in actions],
            }
        ],
    }


def build_poam(
    organization, nonconformities: list[Nonconformity], *, link: Linker = relative
) -> dict:
    """The open nonconformities as a POA&M (one item at least: see :func:`poam_refusal`)."""
    org = organization
    modified = last_modified(org)
    items = []
    for nc in nonconformities:
        requirements = [c.ref for c in nc.clauses.all()] + [c.ref for c in nc.controls.all()]
        items.append(
            {
                "uuid": org_uuid(org, "nonconformity", nc.pk),
                "title": line(str(nc), nc.ref),
                "description": nc.description,
                "props": [
                    prop("label", nc.ref, ns=None),
                    prop("severity", token(nc.severity)),
                    prop("nonconformity-status", token(nc.status)),
                    prop("source", token(nc.source)),
                    prop("raised-on", nc.raised_on.isoformat()),
                    *(prop("requirement", ref) for ref in requirements),
                    *([prop("ai-system", nc.system.slug)] if nc.system else []),
                ],
                "links": [{"href": link(nc.get_absolute_url()), "rel": "reference"}],
                "related-risks": [{"risk-uuid": org_uuid(org, "nonconformity", nc.pk, "risk")}],
                "remarks": nc.similar_elsewhere,
            }
        )
    return document(
        "plan-of-action-and-milestones",
        {
            "uuid": org_uuid(org, "poam", when(modified)),
            "metadata": metadata(
                f"Open nonconformities of {org.name}",
                modified,
                version=when(modified),
                organization=org,
                props=[prop("open-nonconformities", len(nonconformities))],
                remarks="Each nonconformity not closed (ISO/IEC 42001 10.2), with its corrective "
                "actions as the tasks of its remediation, each with its due date.",
            ),
            "risks": [_risk(org, nc, link) for nc in nonconformities],
            "poam-items": items,
        },
    )
