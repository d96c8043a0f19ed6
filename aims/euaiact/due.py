"""What falls due in the EU AI Act area (hook ``due``), for the reminders, the digest and the
bell:

* a request for an explanation, or contesting a decision, still open within a week of its due
  date or past it: for the owner of the system it is about (Art. 86 gives the person a right
  to an answer);
* a regulatory change whose effect is still being assessed when it applies within a month, or
  already applies: for whoever follows it, else for those who manage the AIMS;
* a signed classification the system has outgrown (its purpose, intended use, foreseeable
  misuse or role changed since it was signed): due now, for the system's owner, since the
  stage gate stays closed until it is done again.

Three queries, however many records.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from aims.core.areas import DueItem
from aims.inventory.models import Stage
from aims.organizations.models import Access

from .models import ChangeStatus, Classification, RecourseRequest, RegulatoryChange

REQUEST_NOTICE_DAYS = 7  # an open request shows this long before its answer is due
CHANGE_NOTICE_DAYS = 30  # a change still being assessed shows this long before it applies


def _people(user_id) -> frozenset[int]:
    return frozenset({user_id}) if user_id else frozenset()


def _requests(organization, today: dt.date) -> list[DueItem]:
    found = (
        RecourseRequest.objects.for_org(organization)
        .open()
        .filter(due_on__lte=today + dt.timedelta(days=REQUEST_NOTICE_DAYS))
        .select_related("system")
        .order_by("due_on", "pk")
    )
    items = []
    for request in found:
        request.organization = organization
        items.append(
            DueItem(
                title=f"Answer {request.ref}: {request.get_kind_display().lower()} "
                f"({request.system.name})",
                due=request.due_on,
                url=request.get_absolute_url(),
                kind="Explanation or recourse request",
                people=_people(request.system.owner_id),
                access=Access.CONTRIBUTE,
            )
        )
    return items


def _changes(organization, today: dt.date) -> list[DueItem]:
    found = (
        RegulatoryChange.objects.for_org(organization)
        .filter(
            status=ChangeStatus.ASSESSING,
            effective_on__lte=today + dt.timedelta(days=CHANGE_NOTICE_DAYS),
        )
        .order_by("effective_on", "pk")
    )
    items = []
    for change in found:
        change.organization = organization
        items.append(
            DueItem(
                title=f"Assess the effect of “{change.title}” (applies from "
                f"{change.effective_on.isoformat()})",
                due=change.effective_on,
                url=change.get_absolute_url(),
                kind="Regulatory change",
                people=_people(change.owner_id),
                access=Access.MANAGE,
            )
        )
    return items


def _stale(organization, today: dt.date) -> list[DueItem]:
    found = (
        Classification.objects.for_org(organization)
        .signed()
        .exclude(system__stage=Stage.RETIRED)
        .select_related("system")
        .order_by("system__name", "pk")
    )
    items = []
    for classification in found:
        system = classification.system
        changed = classification.changed_basis(system)
        if not changed:
            continue
        items.append(
            DueItem(
                title=f"Classify {system.name} again under the EU AI Act (its "
                f"{', '.join(changed)} changed)",
                due=today,
                url=reverse("act_system", kwargs={"org": organization.slug, "system_id": system.pk})
                + "#classification",
                kind="EU AI Act classification",
                people=_people(system.owner_id),
                access=Access.CONTRIBUTE,
            )
        )
    return items


def due(organization, today: dt.date) -> list[DueItem]:
    """Requests to answer, changes to assess and classifications to do again."""
    return [
        *_requests(organization, today),
        *_changes(organization, today),
        *_stale(organization, today),
    ]
