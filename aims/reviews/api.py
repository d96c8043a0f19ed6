"""Management reviews (9.3): the reviews, their compiled inputs, holding and approving them,
their decisions and actions."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import MAX_ID, Errors, apply, clean, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.nonconformities.models import Severity

from . import inputs, services
from .models import (
    ActionStatus,
    DecisionKind,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewStatus,
)

router = Router(tags=["Management reviews"])

ReviewState = api_choices("ManagementReviewStatus", ReviewStatus)
ReviewDecisionKind = api_choices("ManagementReviewDecisionKind", DecisionKind)
ReviewActionStatus = api_choices("ManagementReviewActionStatus", ActionStatus)
NonconformitySeverity = api_choices("ReviewNonconformitySeverity", Severity)


# --- Output -------------------------------------------------------------------------------------


class ReviewDecisionOut(Schema):
    id: int
    review: int
    kind: ReviewDecisionKind
    text: str
    nonconformity: str | None = Field(description="The ref of the nonconformity it raised.")
    improvement: str | None = Field(description="The ref of the improvement it added.")
    created_at: dt.datetime

    @staticmethod
    def resolve_review(obj) -> int:
        return obj.review_id

    @staticmethod
    def resolve_nonconformity(obj) -> str | None:
        return obj.nonconformity.ref if obj.nonconformity_id else None

    @staticmethod
    def resolve_improvement(obj) -> str | None:
        return obj.improvement.ref if obj.improvement_id else None


class ReviewActionOut(Schema):
    id: int
    review: int
    title: str
    owner: str | None
    due_date: dt.date | None
    status: ReviewActionStatus
    done_on: dt.date | None
    outcome: str
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_review(obj) -> int:
        return obj.review_id

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue()


class ManagementReviewOut(Schema):
    id: int
    title: str
    planned_on: dt.date
    held_on: dt.date | None
    status: ReviewState
    chair: str | None
    attendees: list[str]
    top_management_attended: bool = Field(
        description="Whether a member of top management attended."
    )
    guests: str
    agenda: str
    minutes: str
    approved_by: str | None
    approved_at: dt.datetime | None
    current_until: dt.date | None = Field(
        description="An approved review counts for clause 9.3 until this day."
    )
    inputs_frozen: bool = Field(description="Whether its inputs were frozen when it was held.")
    inputs_since: dt.date | None
    clauses: list[str]
    controls: list[str]
    decisions: list[ReviewDecisionOut]
    actions: list[ReviewActionOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_chair(obj) -> str | None:
        return username_of(obj.chair)

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return username_of(obj.approved_by)

    @staticmethod
    def resolve_attendees(obj) -> list[str]:
        return sorted(user.get_username() for user in obj.attendees.all())

    @staticmethod
    def resolve_top_management_attended(obj) -> bool:
        return bool(obj.top_attended)

    @staticmethod
    def resolve_inputs_frozen(obj) -> bool:
        return obj.inputs is not None

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_decisions(obj) -> list:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_actions(obj) -> list:
        return list(obj.actions.all())


def reviews_of(org):
    return (
        ManagementReview.objects.for_org(org)
        .with_top_management()
        .select_related("chair", "approved_by")
        .prefetch_related(
            "attendees",
            "clauses",
            "controls",
            "decisions__nonconformity",
            "decisions__improvement",
            "actions__owner",
        )
        .order_by("-planned_on", "-pk")
    )


def get_review(request, review_id: int) -> ManagementReview:
    review = get_object_or_404(reviews_of(request.org), pk=review_id)
    review.organization = request.org
    return review


class ReviewFilters(Schema):
    q: Name | None = Field(None, description="Search in title, agenda, minutes and guests.")
    status: ReviewState | None = None
    attendee: Name | None = Field(None, description="Username of an attendee.")
    open_actions: bool | None = Field(None, description="true: only reviews with open actions.")


@router.get(
    "/management-reviews",
    auth=READ,
    response=responses(200, list[ManagementReviewOut], 422),
    summary="List management reviews",
    description="Newest first, filtered as the reviews page filters.",
)
@paginate(Page)
def list_reviews(request, filters: Query[ReviewFilters]):
    errors = Errors()
    attendee = member(request.org, filters.attendee, field="attendee", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["attendee"] = attendee
    return reviews_of(request.org).filtered(**chosen)


# --- Reviews ------------------------------------------------------------------------------------


class ManagementReviewIn(InputSchema):
    title: text_of(ManagementReview, "title")
    planned_on: dt.date
    chair: Name | None = Field(
        None,
        description="Username of the member who chairs it and approves its minutes (an Owner, "
        "an AIMS Manager or top management).",
    )
    attendees: list[Name] = Field([], description="Usernames of the members who take part.")
    guests: text_of(ManagementReview, "guests") = Field(
        "", description="Other attendees, not members: names and roles."
    )
    agenda: text_of(ManagementReview, "agenda") = ""
    minutes: text_of(ManagementReview, "minutes") = ""
    clauses: list[Name] | None = Field(
        None, description="Clause numbers it addresses; 9.3 when left out on creation."
    )
    controls: list[Name] | None = Field(None, description="Annex A control ids it addresses.")


def _members(request, names, *, field: str, errors: Errors) -> list:
    users = [member(request.org, name, field=field, errors=errors) for name in names or []]
    return [user for user in users if user is not None]


def _save_review(request, review: ManagementReview, data: dict) -> ManagementReview:
    errors = Errors()
    attendees = None
    if "chair" in data:
        review.chair = member(request.org, data["chair"], field="chair", errors=errors)
    if "attendees" in data:
        attendees = _members(request, data["attendees"], field="attendees", errors=errors)
    links = requirement_links(data, errors)
    apply(review, data, skip={"chair", "attendees", "clauses", "controls"})
    clean(review, errors=errors)
    services.save_review(review, actor=request.user, attendees=attendees, **links)
    return get_review(request, review.pk)


@router.post(
    "/management-reviews",
    auth=CONTRIBUTE,
    response=responses(201, ManagementReviewOut, 403, 409, *BODY_ERRORS),
    summary="Plan a management review",
    description="A new review is planned; it addresses clause 9.3 unless told otherwise.",
)
def create_review(request, payload: ManagementReviewIn):
    review = ManagementReview(organization=request.org)
    return Status(201, _save_review(request, review, payload.model_dump()))


@router.get(
    "/management-reviews/{review_id}",
    auth=READ,
    response=responses(200, ManagementReviewOut, 404),
    summary="Read a management review with its decisions and actions",
)
def read_review(request, review_id: int):
    return get_review(request, review_id)


@router.patch(
    "/management-reviews/{review_id}",
    auth=CONTRIBUTE,
    response=responses(200, ManagementReviewOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a management review",
    description="Changes only the fields sent. An approved review does not change (409); the "
    "status moves with hold and approve.",
)
def update_review(request, review_id: int, payload: PatchDict[ManagementReviewIn]):
    review = get_object_or_404(ManagementReview.objects.for_org(request.org), pk=review_id)
    return _save_review(request, review, payload)


class HoldIn(InputSchema):
    held_on: dt.date | None = Field(None, description="Today or earlier; today when left out.")
    chair: Name | None = Field(None, description="Username of the chair; the review's own else.")
    attendees: list[Name] | None = Field(
        None, description="Usernames of the members who attended; the review's own else."
    )
    guests: text_of(ManagementReview, "guests") | None = Field(
        None, description="Other attendees, not members."
    )


@router.post(
    "/management-reviews/{review_id}/hold",
    auth=CONTRIBUTE,
    response=responses(200, ManagementReviewOut, 403, 404, 409, *BODY_ERRORS),
    summary="Mark a management review held, and freeze its inputs",
    description="Needs at least one attendee and a chair with decision authority who attended "
    "(422 naming the field); a review already held answers 409.",
)
def hold_review(request, review_id: int, payload: HoldIn):
    review = get_object_or_404(ManagementReview.objects.for_org(request.org), pk=review_id)
    errors = Errors()
    data = payload.model_dump()
    chair = attendees = None
    if data["chair"] is not None:
        chair = member(request.org, data["chair"], field="chair", errors=errors)
    if data["attendees"] is not None:
        attendees = _members(request, data["attendees"], field="attendees", errors=errors)
    errors.raise_if_any()
    services.hold_review(
        review,
        actor=request.user,
        held_on=data["held_on"],
        chair=chair,
        attendees=attendees,
        guests=data["guests"],
        request=request,
    )
    return get_review(request, review_id)


@router.post(
    "/management-reviews/{review_id}/approve",
    auth=DECIDE,
    response=responses(200, ManagementReviewOut, 403, 404, 409),
    summary="Approve the minutes of a held management review (its chair only)",
    description="403 for anyone but the chair; 409 when the review is not held, has no minutes "
    "or is approved already.",
)
def approve_review(request, review_id: int):
    review = get_object_or_404(ManagementReview.objects.for_org(request.org), pk=review_id)
    services.approve_review(review, actor=request.user)
    return get_review(request, review_id)


# --- Inputs -------------------------------------------------------------------------------------


class FigureOut(Schema):
    label: str
    value: int | str
    tone: str


class ReviewInputItemOut(Schema):
    label: str
    url: str
    note: str
    tone: str
    heading: bool


class InputSectionOut(Schema):
    key: str
    title: str
    clause: str
    recorded: bool = Field(description="false: the source area has no record yet.")
    summary: str
    figures: list[FigureOut]
    items: list[ReviewInputItemOut]
    more: int
    more_url: str
    empty: str


class InputsOut(Schema):
    frozen: bool = Field(description="true: as they were when the review was held.")
    since: dt.date | None
    compiled_at: dt.datetime | None
    sections: list[InputSectionOut]


@router.get(
    "/management-reviews/{review_id}/inputs",
    auth=READ,
    response=responses(200, InputsOut, 404),
    summary="The inputs of a management review (9.3.2)",
    description="Compiled from the records until the review is held, then as they were then.",
)
def read_review_inputs(request, review_id: int):
    review = get_review(request, review_id)
    if review.is_held and review.inputs is not None:
        sections = inputs.frozen_sections(review)
        return {
            "frozen": True,
            "since": review.inputs_since,
            "compiled_at": review.inputs_compiled_at,
            "sections": [s.as_dict() for s in sections],
        }
    since, data = inputs.compile_as_data(review, request=request)
    return {"frozen": False, "since": since, "compiled_at": timezone.now(), "sections": data}


# --- Decisions ----------------------------------------------------------------------------------


class ReviewDecisionIn(InputSchema):
    kind: ReviewDecisionKind
    text: text_of(ReviewDecision, "text")


def _decision(pk: int) -> ReviewDecision:
    return ReviewDecision.objects.select_related("nonconformity", "improvement").get(pk=pk)


@router.post(
    "/management-reviews/{review_id}/decisions",
    auth=CONTRIBUTE,
    response=responses(201, ReviewDecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Record a decision of a held management review",
    description="409 when the review is not held, or its minutes are approved.",
)
def create_review_decision(request, review_id: int, payload: ReviewDecisionIn):
    review = get_object_or_404(ManagementReview.objects.for_org(request.org), pk=review_id)
    decision = ReviewDecision(organization=request.org, review=review)
    errors = Errors()
    apply(decision, payload.model_dump())
    clean(decision, errors=errors)
    services.save_decision(decision, actor=request.user)
    return Status(201, _decision(decision.pk))


def get_decision(request, review_decision_id: int) -> ReviewDecision:
    return get_object_or_404(
        ReviewDecision.objects.filter(organization=request.org).select_related("review"),
        pk=review_decision_id,
    )


@router.patch(
    "/management-review-decisions/{review_decision_id}",
    auth=CONTRIBUTE,
    response=responses(200, ReviewDecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a decision of a management review",
    description="409 once the review's minutes are approved.",
)
def update_review_decision(request, review_decision_id: int, payload: PatchDict[ReviewDecisionIn]):
    decision = get_decision(request, review_decision_id)
    errors = Errors()
    apply(decision, payload)
    clean(decision, errors=errors)
    services.save_decision(decision, actor=request.user)
    return _decision(decision.pk)


class RaiseIn(InputSchema):
    severity: NonconformitySeverity = NonconformitySeverity.MINOR
    owner: Name | None = Field(None, description="Username of the member who sees it through.")


@router.post(
    "/management-review-decisions/{review_decision_id}/nonconformity",
    auth=CONTRIBUTE,
    response=responses(201, ReviewDecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Raise a nonconformity from a decision of a held review",
    description="The nonconformity (source: management review) and the decision are linked; "
    "409 when the decision has one already or the minutes are approved.",
)
def raise_review_nonconformity(request, review_decision_id: int, payload: RaiseIn):
    decision = get_decision(request, review_decision_id)
    errors = Errors()
    owner = member(request.org, payload.owner, field="owner", errors=errors)
    errors.raise_if_any()
    services.raise_nonconformity_from(
        decision, actor=request.user, severity=payload.severity, owner=owner
    )
    return Status(201, _decision(decision.pk))


class ImproveIn(InputSchema):
    owner: Name | None = Field(None, description="Username of the member who owns it.")
    due_date: dt.date | None = Field(None, description="Today or later.")


@router.post(
    "/management-review-decisions/{review_decision_id}/improvement",
    auth=CONTRIBUTE,
    response=responses(201, ReviewDecisionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Add a decision of a held review to the improvement register",
    description="The improvement (source: management review) and the decision are linked; 409 "
    "when the decision has one already or the minutes are approved.",
)
def add_review_improvement(request, review_decision_id: int, payload: ImproveIn):
    decision = get_decision(request, review_decision_id)
    errors = Errors()
    owner = member(request.org, payload.owner, field="owner", errors=errors)
    errors.raise_if_any()
    services.add_improvement_from(
        decision, actor=request.user, owner=owner, due_date=payload.due_date
    )
    return Status(201, _decision(decision.pk))


# --- Actions ------------------------------------------------------------------------------------


class ReviewActionIn(InputSchema):
    title: text_of(ReviewAction, "title")
    owner: Name | None = Field(None, description="Username of a member.")
    due_date: dt.date | None = Field(None, description="Today or later.")


class ReviewActionUpdate(ReviewActionIn):
    status: ReviewActionStatus = ReviewActionStatus.OPEN
    done_on: dt.date | None = Field(None, description="When it was done; today by default.")
    outcome: text_of(ReviewAction, "outcome") = ""


def _save_action(request, action: ReviewAction, data: dict) -> ReviewAction:
    errors = Errors()
    if "owner" in data:
        action.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(action, data, skip={"owner"})
    clean(action, errors=errors)
    services.save_action(action, actor=request.user)
    return ReviewAction.objects.select_related("owner").get(pk=action.pk)


@router.post(
    "/management-reviews/{review_id}/actions",
    auth=CONTRIBUTE,
    response=responses(201, ReviewActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Give an action at a held management review",
    description="409 when the review is not held or its minutes are approved; 422 when the due "
    "date is in the past.",
)
def create_review_action(request, review_id: int, payload: ReviewActionIn):
    review = get_object_or_404(ManagementReview.objects.for_org(request.org), pk=review_id)
    action = ReviewAction(organization=request.org, review=review)
    return Status(201, _save_action(request, action, payload.model_dump()))


class ReviewActionFilters(Schema):
    q: Name | None = Field(None, description="Search in title and outcome.")
    status: ReviewActionStatus | None = None
    owner: Name | None = Field(None, description="Username of the action's owner.")
    overdue: bool | None = Field(None, description="true: only open actions past due.")
    review: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only the actions of this review."
    )


@router.get(
    "/management-review-actions",
    auth=READ,
    response=responses(200, list[ReviewActionOut], 422),
    summary="List the actions of every management review",
    description="Open ones first, by due date.",
)
@paginate(Page)
def list_review_actions(request, filters: Query[ReviewActionFilters]):
    errors = Errors()
    owner = member(request.org, filters.owner, field="owner", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["owner"] = owner
    review = chosen.pop("review")
    actions = ReviewAction.objects.for_org(request.org)
    if review is not None:
        actions = actions.filter(review_id=review)
    return actions.filtered(**chosen).select_related("owner").order_by("-status", "due_date", "pk")


@router.patch(
    "/management-review-actions/{review_action_id}",
    auth=CONTRIBUTE,
    response=responses(200, ReviewActionOut, 403, 404, 409, *BODY_ERRORS),
    summary="Follow up an action of a management review",
    description="Its owner, due date, status and outcome; open → done or cancelled, and back "
    "to open (done ↔ cancelled is refused, 409). Once the minutes are approved what it asks "
    "(its title) stays.",
)
def update_review_action(request, review_action_id: int, payload: PatchDict[ReviewActionUpdate]):
    action = get_object_or_404(
        ReviewAction.objects.filter(organization=request.org).select_related("review"),
        pk=review_action_id,
    )
    return _save_action(request, action, payload)
