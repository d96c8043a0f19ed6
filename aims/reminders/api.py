"""A person's reminders and their digest setting, for the token's user in the token's
organization."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StrictBool

from aims.api.auth import READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name

from . import rules, services

router = Router(tags=["Reminders"])


class ReminderOut(Schema):
    title: str
    kind: str = Field(description="What falls due: “Document review”, “Training expiry”, ...")
    due: dt.date | None
    days: int | None = Field(description="Days until the due date; negative when overdue.")
    overdue: bool
    when: str = Field(description="“overdue by 3 days”, “due today”, “due in 12 days”.")
    url: str = Field(description="The record's page in the app (a path), or empty.")
    needs_decision: bool


class ReminderFilters(Schema):
    kind: Name | None = Field(None, description="Only reminders of this kind.")
    q: Name | None = Field(None, description="Search in the title and the kind.")
    overdue: bool | None = Field(None, description="true: only overdue; false: only the rest.")


def out(reminder: rules.Reminder) -> dict:
    item = reminder.item
    return {
        "title": item.title,
        "kind": item.kind,
        "due": item.due,
        "days": reminder.days,
        "overdue": reminder.overdue,
        "when": reminder.when,
        "url": reminder.link,
        "needs_decision": item.needs_decision,
    }


@router.get(
    "/reminders",
    auth=READ,
    response=responses(200, list[ReminderOut], 422),
    summary="List what falls due for me",
    description="What falls due for the token's user in the token's organization, overdue "
    "first, then soonest first: items that name them, and items that name nobody which their "
    "role may act on. Filtered as the reminders page filters.",
)
@paginate(Page)
def list_reminders(request, filters: Query[ReminderFilters]):
    today = timezone.localdate()
    items = rules.filtered(
        rules.items_for(request.membership, today), kind=filters.kind or "", q=filters.q or ""
    )
    reminders = [rules.reminder(item, today) for item in items]
    if filters.overdue is not None:
        reminders = [r for r in reminders if r.overdue == filters.overdue]
    return [out(r) for r in reminders]


class PreferenceOut(Schema):
    digest: bool = Field(description="Whether the daily digest e-mail is on.")
    email: str = Field(description="Where the digest goes; empty: no digest can be sent.")


class PreferenceIn(InputSchema):
    digest: StrictBool | None = Field(
        None, description="Turn the daily digest on or off; left out: unchanged."
    )


def preference_out(user, preference) -> dict:
    return {"digest": preference.digest, "email": user.email or ""}


@router.get(
    "/reminders/preferences",
    auth=READ,
    response=responses(200, PreferenceOut),
    summary="Read my reminder settings",
)
def read_preferences(request):
    return preference_out(request.user, services.preference_of(request.user))


@router.put(
    "/reminders/preferences",
    auth=READ,  # the person's own setting: every member may change their own
    response=responses(200, PreferenceOut, *BODY_ERRORS),
    summary="Change my reminder settings",
    description="Changes only the token user's own settings, which apply in all their "
    "organizations. Fields left out keep their value.",
)
def update_preferences(request, payload: PreferenceIn):
    preference = services.preference_of(request.user)
    if payload.digest is not None:
        preference = services.set_digest(request.user, digest=payload.digest)
    return preference_out(request.user, preference)
