"""Nonconformities and corrective actions (10.2).

A nonconformity's status moves only through its handling: adding actions, marking them done or
cancelled, the effectiveness review and closing. Closing is refused (409, ``field`` names what
is missing: ``actions`` or ``effectiveness_review``) until every action is done or cancelled, one
at least done, and an effectiveness review by someone who owns none of them found them
effective.
"""

import datetime as dt
from typing import Literal

from django.db.models import Prefetch, TextChoices
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import MAX_ID, Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.incidents.models import Concern, Incident
from aims.inventory.models import AISystem

from . import services
from .models import (
    WHY_MAX_LENGTH,
    ActionStatus,
    CorrectiveAction,
    EffectivenessReview,
    Nonconformity,
    RunNote,
    Severity,
    Source,
    Verdict,
)
from .models import (
    Status as NCStatus,
)

router = Router(tags=["Nonconformities"])

NCState = api_choices("NonconformityStatus", NCStatus)
NCSeverity = api_choices("NonconformitySeverity", Severity)
NCSource = api_choices("NonconformitySource", Source)
ActionState = api_choices("CorrectiveActionStatus", ActionStatus)
ReviewVerdict = api_choices("EffectivenessVerdict", Verdict)
# The list's status filter: a status, or "not_closed" (any but closed).
NCStateFilter = TextChoices(
    "NonconformityStatusFilter",
    [
        *((m.name, (m.value, m.label)) for m in NCStatus),
        ("NOT_CLOSED", ("not_closed", "Not closed")),
    ],
)


class FiveWhysStep(Schema):
    why: bounded_text(WHY_MAX_LENGTH)
    because: bounded_text(WHY_MAX_LENGTH)


class CorrectiveActionOut(Schema):
    id: int
    title: str
    description: str
    owner: str | None
    due_date: dt.date
    status: ActionState
    done_on: dt.date | None
    note: str
    overdue: bool

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class EffectivenessReviewOut(Schema):
    id: int
    verdict: ReviewVerdict
    evidence: str
    reviewer: str | None
    reviewed_on: dt.date

    @staticmethod
    def resolve_reviewer(obj):
        return username_of(obj.reviewer)


class NonconformityRunOut(Schema):
    run: int
    kind: str
    status: str
    started_at: dt.datetime

    @staticmethod
    def resolve_run(obj):
        return obj.run_id

    @staticmethod
    def resolve_status(obj):
        return obj.run.status

    @staticmethod
    def resolve_started_at(obj):
        return obj.run.started_at


class NonconformityOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    source: NCSource
    severity: NCSeverity
    status: NCState
    owner: str | None
    raised_by: str | None
    raised_on: dt.date
    system: str | None
    check: int | None = Field(description="The id of the check whose failed run raised it.")
    incident: int | None
    concern: int | None
    clauses: list[str] = Field(description="Clauses not met.")
    controls: list[str] = Field(description="Annex A controls not met.")
    containment: str
    whys: list[FiveWhysStep]
    root_cause: str
    similar_elsewhere: str
    actions: list[CorrectiveActionOut]
    effectiveness_reviews: list[EffectivenessReviewOut]
    runs: list[NonconformityRunOut]
    closure_refusal: str | None = Field(description="Why it cannot be closed now; null if it can.")
    closed_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)

    @staticmethod
    def resolve_raised_by(obj):
        return username_of(obj.raised_by)

    @staticmethod
    def resolve_system(obj):
        return obj.system.slug if obj.system else None

    @staticmethod
    def resolve_check(obj):
        return obj.check_definition_id

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_concern(obj):
        return obj.concern_id

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_whys(obj):
        return obj.why_steps()

    @staticmethod
    def resolve_actions(obj):
        return list(obj.actions.all())

    @staticmethod
    def resolve_effectiveness_reviews(obj):
        return list(obj.reviews.all())

    @staticmethod
    def resolve_runs(obj):
        return list(obj.run_notes.all())

    @staticmethod
    def resolve_closure_refusal(obj):
        if not obj.is_open:
            return None
        return services.closure_refusal(obj)


def nonconformities_of(org):
    return (
        Nonconformity.objects.for_org(org)
        .select_related("owner", "raised_by", "system")
        .prefetch_related(
            "clauses",
            "controls",
            Prefetch("actions", CorrectiveAction.objects.select_related("owner")),
            Prefetch("reviews", EffectivenessReview.objects.select_related("reviewer")),
            Prefetch("run_notes", RunNote.objects.select_related("run")),
        )
    )


def get_nonconformity(request, nonconformity_id: int) -> Nonconformity:
    nc = get_object_or_404(nonconformities_of(request.org), pk=nonconformity_id)
    nc.organization = request.org
    return nc


class NonconformityFilters(Schema):
    q: Name | None = None
    status: NCStateFilter | None = None
    source: NCSource | None = None
    severity: NCSeverity | None = None
    system: Name | None = Field(None, description="Slug of the AI system.")
    overdue: bool | None = Field(None, description="true: with a corrective action overdue.")


@router.get(
    "/nonconformities",
    auth=READ,
    response=responses(200, list[NonconformityOut], 422),
    summary="List nonconformities",
)
@paginate(Page)
def list_nonconformities(request, filters: Query[NonconformityFilters]):
    chosen = filters.model_dump()
    if chosen["system"] is not None:
        chosen["system"] = AISystem.objects.for_org(request.org).filter(
            slug=chosen["system"]
        ).first() or AISystem(pk=0)
    overdue = chosen.pop("overdue")
    chosen["overdue_on"] = timezone.localdate() if overdue else None
    return nonconformities_of(request.org).filtered(**chosen).order_by("-raised_on", "-pk")


class NonconformityIn(InputSchema):
    title: text_of(Nonconformity, "title")
    description: text_of(Nonconformity, "description")
    severity: NCSeverity = NCSeverity.MINOR
    owner: Name | None = Field(None, description="Username of a member.")
    system: Name | None = Field(None, description="Slug of the AI system.")
    incident: StrictInt | None = Field(None, description="Id of the incident it came from.")
    concern: StrictInt | None = Field(None, description="Id of the concern it came from.")
    clauses: list[Name] | None = Field(None, description="Clauses not met (8.2).")
    controls: list[Name] | None = Field(None, description="Annex A controls not met (A.6.2.4).")
    raised_on: dt.date | None = Field(None, description="Today when left out; not to come.")


class NonconformityPatch(InputSchema):
    title: text_of(Nonconformity, "title")
    description: text_of(Nonconformity, "description")
    severity: NCSeverity
    owner: Name | None = None
    system: Name | None = None
    incident: StrictInt | None = None
    concern: StrictInt | None = None
    clauses: list[Name] | None = None
    controls: list[Name] | None = None
    containment: text_of(Nonconformity, "containment")
    whys: list[FiveWhysStep] = Field(description="Up to five why/because steps.", max_length=5)
    root_cause: text_of(Nonconformity, "root_cause")
    similar_elsewhere: text_of(Nonconformity, "similar_elsewhere")


def _record(queryset, number, *, field: str, what: str, errors: Errors):
    if number is None:
        return None
    found = queryset.filter(pk=number).first() if 0 < number <= MAX_ID else None
    if found is None:
        errors.add(field, f"Unknown {what}: {number}.")
    return found


def _links(request, data: dict, errors: Errors) -> dict:
    """The records an API body names, by field (only those sent)."""
    found = {}
    if "owner" in data:
        found["owner"] = member(request.org, data["owner"], field="owner", errors=errors)
    if "system" in data:
        slug = data["system"]
        found["system"] = None
        if slug:
            found["system"] = AISystem.objects.for_org(request.org).filter(slug=slug).first()
            if found["system"] is None:
                errors.add("system", f"Unknown AI system: {slug}.")
    if "incident" in data:
        found["incident"] = _record(
            Incident.objects.for_org(request.org),
            data["incident"],
            field="incident",
            what="incident",
            errors=errors,
        )
    if "concern" in data:
        found["concern"] = _record(
            Concern.objects.for_org(request.org),
            data["concern"],
            field="concern",
            what="concern",
            errors=errors,
        )
    return found


@router.post(
    "/nonconformities",
    auth=CONTRIBUTE,
    response=responses(201, NonconformityOut, 403, *BODY_ERRORS),
    summary="Raise a nonconformity",
    description="Its source is the incident or the concern named, else raised by hand.",
)
def create_nonconformity(request, payload: NonconformityIn):
    data = payload.model_dump()
    errors = Errors()
    links = _links(request, data, errors)
    requirements = requirement_links(data, errors)
    errors.raise_if_any()
    source = (
        Source.INCIDENT
        if links.get("incident")
        else Source.CONCERN
        if links.get("concern")
        else Source.OTHER
    )
    nc = services.raise_nonconformity(
        request.org,
        title=data["title"],
        description=data["description"],
        source=source,
        severity=data["severity"],
        actor=request.user,
        raised_on=data["raised_on"],
        clauses=requirements.get("clauses", ()),
        controls=requirements.get("controls", ()),
        **links,
    )
    return Status(201, get_nonconformity(request, nc.pk))


@router.get(
    "/nonconformities/{nonconformity_id}",
    auth=READ,
    response=responses(200, NonconformityOut, 404),
    summary="Read a nonconformity",
)
def read_nonconformity(request, nonconformity_id: int):
    return get_nonconformity(request, nonconformity_id)


@router.patch(
    "/nonconformities/{nonconformity_id}",
    auth=CONTRIBUTE,
    response=responses(200, NonconformityOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a nonconformity",
    description="Changes only the fields sent (its reaction, five whys, root cause, links). "
    "The status moves through the actions, the effectiveness review and /close. A closed "
    "nonconformity does not change (409).",
)
def update_nonconformity(request, nonconformity_id: int, payload: PatchDict[NonconformityPatch]):
    nc = get_nonconformity(request, nonconformity_id)
    data = dict(payload)
    errors = Errors()
    links = _links(request, data, errors)
    requirements = requirement_links(data, errors)
    for name, value in links.items():
        setattr(nc, name, value)
    if "whys" in data:
        data["whys"] = [dict(step) for step in data["whys"] or []]
    apply(nc, data, skip={"owner", "system", "incident", "concern", "clauses", "controls"})
    clean(nc, exclude=["organization", "ref", "whys"], errors=errors)
    services.update_nonconformity(nc, actor=request.user, **requirements)
    return get_nonconformity(request, nonconformity_id)


@router.delete(
    "/nonconformities/{nonconformity_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a nonconformity raised by mistake",
    description="Only an open one with no corrective action nor review (409 otherwise).",
)
def delete_nonconformity(request, nonconformity_id: int):
    services.delete_nonconformity(get_nonconformity(request, nonconformity_id), actor=request.user)
    return Status(204, None)


# --- Corrective actions --------------------------------------------------------------------------


class CorrectiveActionIn(InputSchema):
    title: text_of(CorrectiveAction, "title")
    description: text_of(CorrectiveAction, "description") = ""
    owner: Name = Field(description="Username of the member who carries it out.")
    due_date: dt.date = Field(description="From today on.")


class CorrectiveActionPatch(InputSchema):
    title: text_of(CorrectiveAction, "title")
    description: text_of(CorrectiveAction, "description")
    owner: Name
    due_date: dt.date


class CorrectiveActionStatusIn(InputSchema):
    to: Literal["done", "cancelled", "open"] = Field(
        description="done (with note: what was done), cancelled (with note: why), or open "
        "(reopen a done or cancelled action)."
    )
    note: bounded_text(2_000) = ""
    done_on: dt.date | None = Field(None, description="For done: today when left out.")


def get_action(request, nc: Nonconformity, corrective_action_id: int) -> CorrectiveAction:
    action = get_object_or_404(
        CorrectiveAction.objects.filter(nonconformity=nc).select_related("owner"),
        pk=corrective_action_id,
    )
    action.nonconformity = nc
    return action


@router.get(
    "/nonconformities/{nonconformity_id}/actions",
    auth=READ,
    response=responses(200, list[CorrectiveActionOut], 404, 422),
    summary="A nonconformity's corrective actions",
)
@paginate(Page)
def list_corrective_actions(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    return CorrectiveAction.objects.filter(nonconformity=nc).select_related("owner")


@router.post(
    "/nonconformities/{nonconformity_id}/actions",
    auth=CONTRIBUTE,
    response=responses(201, CorrectiveActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Add a corrective action",
    description="The nonconformity is then in progress. Refused on a closed one (409).",
)
def add_corrective_action(request, nonconformity_id: int, payload: CorrectiveActionIn):
    nc = get_nonconformity(request, nonconformity_id)
    errors = Errors()
    owner = member(request.org, payload.owner, field="owner", errors=errors)
    errors.raise_if_any()
    action = services.add_action(
        nc,
        actor=request.user,
        title=payload.title,
        description=payload.description,
        owner=owner,
        due_date=payload.due_date,
    )
    return Status(201, get_action(request, nc, action.pk))


@router.patch(
    "/nonconformities/{nonconformity_id}/actions/{corrective_action_id}",
    auth=CONTRIBUTE,
    response=responses(200, CorrectiveActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an open corrective action",
    description="Its title, details, owner or due date; its status moves through /status.",
)
def update_corrective_action(
    request,
    nonconformity_id: int,
    corrective_action_id: int,
    payload: PatchDict[CorrectiveActionPatch],
):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    data = dict(payload)
    errors = Errors()
    owner = None
    if "owner" in data:
        owner = member(request.org, data["owner"], field="owner", errors=errors)
        if owner is None and not errors:
            errors.add("owner", "Name the member who carries the action out.")
    errors.raise_if_any()
    services.update_action(
        action,
        actor=request.user,
        title=data.get("title"),
        description=data.get("description"),
        owner=owner,
        due_date=data.get("due_date"),
    )
    return get_action(request, nc, corrective_action_id)


@router.post(
    "/nonconformities/{nonconformity_id}/actions/{corrective_action_id}/status",
    auth=CONTRIBUTE,
    response=responses(200, CorrectiveActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Mark a corrective action done, cancel it or reopen it",
    description="The last open action done makes the nonconformity await its effectiveness "
    "review; reopening one puts it back in progress.",
)
def move_corrective_action(
    request, nonconformity_id: int, corrective_action_id: int, payload: CorrectiveActionStatusIn
):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    if payload.to == "done":
        services.complete_action(
            action, actor=request.user, note=payload.note, done_on=payload.done_on
        )
    elif payload.to == "cancelled":
        services.cancel_action(action, actor=request.user, reason=payload.note)
    else:
        services.reopen_action(action, actor=request.user, reason=payload.note)
    return get_action(request, nc, corrective_action_id)


# --- Effectiveness and closing -------------------------------------------------------------------


class EffectivenessReviewIn(InputSchema):
    verdict: ReviewVerdict
    evidence: text_of(EffectivenessReview, "evidence") = Field(
        description="Why: what was looked at, and what it showed."
    )
    reviewed_on: dt.date | None = Field(None, description="Today when left out.")


@router.post(
    "/nonconformities/{nonconformity_id}/effectiveness-review",
    auth=CONTRIBUTE,
    response=responses(201, EffectivenessReviewOut, 403, 404, 409, *BODY_ERRORS),
    summary="Review whether the corrective actions worked",
    description="Once every action is done or cancelled; by someone who owns none of them "
    "(409, field reviewer). effective: it can be closed; not_effective: it is open again and "
    "needs new actions.",
)
def review_effectiveness(request, nonconformity_id: int, payload: EffectivenessReviewIn):
    nc = get_nonconformity(request, nonconformity_id)
    review = services.review_effectiveness(
        nc,
        actor=request.user,
        verdict=payload.verdict,
        evidence=payload.evidence,
        reviewed_on=payload.reviewed_on,
    )
    return Status(201, review)


@router.post(
    "/nonconformities/{nonconformity_id}/close",
    auth=CONTRIBUTE,
    response=responses(200, NonconformityOut, 403, 404, 409),
    summary="Close a nonconformity",
    description="Refused (409; field actions or effectiveness_review) until every action is "
    "done or cancelled, one at least done, and the effectiveness review confirmed it.",
)
def close_nonconformity(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    services.close_nonconformity(nc, actor=request.user)
    return get_nonconformity(request, nonconformity_id)
