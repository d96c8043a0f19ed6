"""Readiness assessments (their items, results and completion), the certification-readiness
checklist and the roadmap."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictBool, StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.core.errors import Refused
from aims.evidence.models import Evidence

from . import services
from .checklist import checklist
from .models import (
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistKey,
    ChecklistTick,
    Decision,
    Kind,
    RoadmapAction,
    Status,
)
from .results import items_of, results

router = Router(tags=["Readiness"])

AssessmentState = api_choices("ReadinessStatus", Status)
ItemKind = api_choices("ReadinessItemKind", Kind)
ItemDecision = api_choices("ReadinessDecision", Decision)
ActionState = api_choices("ReadinessActionStatus", ActionStatus)
ChecklistItemKey = api_choices("ReadinessChecklistKey", ChecklistKey)
Level = StrictInt


# --- Assessments ------------------------------------------------------------------------------


class AssessmentIn(InputSchema):
    title: text_of(Assessment, "title") = Field(
        "", description="Left empty: “Readiness assessment” and the date."
    )
    assessed_on: dt.date | None = Field(None, description="Today or earlier; today if left out.")
    assessor: Name | None = Field(None, description="Username of a member.")
    summary: text_of(Assessment, "summary") = Field(
        "", description="The conclusion, for top management."
    )


class AssessmentOut(Schema):
    id: int
    title: str
    assessed_on: dt.date
    assessor: str | None
    status: AssessmentState
    summary: str
    items: int
    pending: int = Field(description="Items still to decide.")
    readiness_percent: int | None = Field(
        description="The mean decided level as a percentage of level 5."
    )
    created_at: dt.datetime
    completed_at: dt.datetime | None
    completed_by: str | None

    @staticmethod
    def resolve_assessor(obj) -> str | None:
        return username_of(obj.assessor)

    @staticmethod
    def resolve_completed_by(obj) -> str | None:
        return username_of(obj.completed_by)

    @staticmethod
    def resolve_items(obj) -> int:
        return obj.item_count

    @staticmethod
    def resolve_pending(obj) -> int:
        return obj.pending_count

    @staticmethod
    def resolve_readiness_percent(obj) -> int | None:
        return None if obj.mean is None else round(100 * obj.mean / 5)


def assessments_of(org):
    return (
        Assessment.objects.for_org(org)
        .select_related("assessor", "completed_by")
        .annotate(
            mean=Avg("items__level", filter=~Q(items__decision=Decision.PENDING)),
            item_count=Count("items"),
            pending_count=Count("items", filter=Q(items__decision=Decision.PENDING)),
        )
        .order_by("-assessed_on", "-pk")
    )


def get_assessment(request, assessment_id: int) -> Assessment:
    assessment = get_object_or_404(assessments_of(request.org), pk=assessment_id)
    assessment.organization = request.org
    return assessment


class AssessmentFilters(Schema):
    q: Name | None = Field(None, description="Search in title and conclusion.")
    status: AssessmentState | None = None


@router.get(
    "/readiness/assessments",
    auth=READ,
    response=responses(200, list[AssessmentOut], 422),
    summary="List readiness assessments",
    description="Newest first, with each one's overall readiness.",
)
@paginate(Page)
def readiness_list_assessments(request, filters: Query[AssessmentFilters]):
    return assessments_of(request.org).filtered(**filters.model_dump())


def _fill(request, assessment: Assessment, data: dict) -> Errors:
    errors = Errors()
    if "assessor" in data:
        assessment.assessor = member(request.org, data["assessor"], field="assessor", errors=errors)
    apply(assessment, data, skip={"assessor", "assessed_on"})
    if data.get("assessed_on") is not None:
        assessment.assessed_on = data["assessed_on"]
    return errors


@router.post(
    "/readiness/assessments",
    auth=MANAGE,
    response=responses(201, AssessmentOut, 403, 409, *BODY_ERRORS),
    summary="Start a readiness assessment",
    description="A draft with one item per clause requirement (4.1 to 10.2) and per Annex A "
    "control the SoA does not exclude, each with the level the records suggest and why. "
    "Refused (409) while another draft is under way.",
)
def readiness_create_assessment(request, payload: AssessmentIn):
    assessment = Assessment(organization=request.org, assessed_on=timezone.localdate())
    errors = _fill(request, assessment, payload.model_dump())
    clean(assessment, errors=errors, exclude=["title"])
    try:
        services.start_assessment(assessment, actor=request.user)
    except ValidationError as exc:
        if isinstance(exc, Refused):
            raise
        errors.raise_with(exc)
    return HttpStatus(201, get_assessment(request, assessment.pk))


@router.get(
    "/readiness/assessments/{readiness_assessment_id}",
    auth=READ,
    response=responses(200, AssessmentOut, 404),
    summary="Read a readiness assessment",
)
def readiness_read_assessment(request, readiness_assessment_id: int):
    return get_assessment(request, readiness_assessment_id)


@router.patch(
    "/readiness/assessments/{readiness_assessment_id}",
    auth=MANAGE,
    response=responses(200, AssessmentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a draft assessment",
    description="Title, date, assessor or conclusion; a completed assessment answers 409.",
)
def readiness_update_assessment(
    request, readiness_assessment_id: int, payload: PatchDict[AssessmentIn]
):
    assessment = get_assessment(request, readiness_assessment_id)
    errors = _fill(request, assessment, payload)
    clean(assessment, errors=errors)
    try:
        services.save_assessment(assessment, actor=request.user)
    except ValidationError as exc:
        if isinstance(exc, Refused):
            raise
        errors.raise_with(exc)
    return get_assessment(request, readiness_assessment_id)


@router.post(
    "/readiness/assessments/{readiness_assessment_id}/accept-proposals",
    auth=MANAGE,
    response=responses(200, AssessmentOut, 403, 404, 409),
    summary="Confirm every proposal still to decide",
)
def readiness_accept_proposals(request, readiness_assessment_id: int):
    assessment = get_assessment(request, readiness_assessment_id)
    services.accept_proposals(assessment, actor=request.user)
    return get_assessment(request, readiness_assessment_id)


@router.post(
    "/readiness/assessments/{readiness_assessment_id}/refresh-proposals",
    auth=MANAGE,
    response=responses(200, AssessmentOut, 403, 404, 409),
    summary="Read the records again and update the proposals",
    description="Levels already decided stay as they are.",
)
def readiness_refresh_proposals(request, readiness_assessment_id: int):
    assessment = get_assessment(request, readiness_assessment_id)
    services.refresh_proposals(assessment, actor=request.user)
    return get_assessment(request, readiness_assessment_id)


@router.post(
    "/readiness/assessments/{readiness_assessment_id}/complete",
    auth=MANAGE,
    response=responses(200, AssessmentOut, 403, 404, 409),
    summary="Complete an assessment",
    description="Refused (409) while an item is still to decide, or when already completed.",
)
def readiness_complete_assessment(request, readiness_assessment_id: int):
    assessment = get_assessment(request, readiness_assessment_id)
    services.complete(assessment, actor=request.user)
    return get_assessment(request, readiness_assessment_id)


# --- Items ------------------------------------------------------------------------------------


class AssessmentItemOut(Schema):
    id: int
    ref: str
    title: str
    kind: ItemKind
    group: str = Field(description="The clause (4 to 10) or Annex A objective it counts in.")
    proposed_level: int | None
    proposal_reason: str
    level: int | None
    decision: ItemDecision
    note: str
    evidence: list[int]

    @staticmethod
    def resolve_evidence(obj) -> list[int]:
        return [e.pk for e in obj.evidence.all()]


class AssessmentItemIn(InputSchema):
    level: Level | None = Field(
        None,
        ge=0,
        le=5,
        description="0 to 5; a level other than the proposal needs a note (422 without).",
    )
    note: text_of(AssessmentItem, "note") | None = None
    confirm: StrictBool = Field(False, description="true: take the proposed level.")
    evidence: list[StrictInt] | None = Field(
        None, description="Numbers of the evidence looked at; replaces the list."
    )


@router.get(
    "/readiness/assessments/{readiness_assessment_id}/items",
    auth=READ,
    response=responses(200, list[AssessmentItemOut], 404, 422),
    summary="List an assessment's items",
    description="In the standard's order: the clauses, then the Annex A controls.",
)
@paginate(Page)
def readiness_list_items(request, readiness_assessment_id: int):
    assessment = get_assessment(request, readiness_assessment_id)
    return items_of(assessment)


@router.patch(
    "/readiness/assessments/{readiness_assessment_id}/items/{readiness_item_id}",
    auth=MANAGE,
    response=responses(200, AssessmentItemOut, 403, 404, 409, *BODY_ERRORS),
    summary="Rate an item",
    description="confirm: true takes the proposal; level sets it (with a note when it differs "
    "from the proposal); note and evidence change alone. A completed assessment answers 409.",
)
def readiness_update_item(
    request, readiness_assessment_id: int, readiness_item_id: int, payload: AssessmentItemIn
):
    assessment = get_assessment(request, readiness_assessment_id)
    item = get_object_or_404(assessment.items.all(), pk=readiness_item_id)
    item.assessment = assessment
    data = payload.model_dump(exclude_unset=True)
    errors = Errors()
    evidence = None
    if data.get("evidence") is not None:
        evidence = numbered(
            Evidence.objects.for_org(request.org),
            data["evidence"],
            field="evidence",
            errors=errors,
            what="evidence",
        )
    if data.get("confirm") and data.get("level") is not None:
        errors.add("confirm", "Send either confirm or a level, not both.")
    errors.raise_if_any()
    try:
        if data.get("confirm"):
            services.confirm_item(item, actor=request.user)
        if any(k in data for k in ("level", "note", "evidence")):
            services.rate_item(
                item,
                actor=request.user,
                level=data["level"] if data.get("level") is not None else services.UNCHANGED,
                note=data.get("note", services.UNCHANGED),
                evidence=evidence,
            )
    except ValidationError as exc:
        if isinstance(exc, Refused):
            raise
        errors.raise_with(exc)
    return get_object_or_404(assessment.items.for_page(), pk=readiness_item_id)


# --- Results ----------------------------------------------------------------------------------


class ReadinessGroupOut(Schema):
    ref: str
    title: str
    items: int
    decided: int
    mean_level: float | None
    percent: int | None
    at_level_3_or_above: int


class OverallOut(Schema):
    items: int
    decided: int
    mean_level: float | None
    percent: int | None = Field(description="The mean decided level as a percentage of level 5.")
    share_at_level_3_or_above: int | None = Field(
        description="The share of decided items at level 3 (implemented) or above, in percent."
    )
    by_level: dict[str, int]


class GapOut(Schema):
    ref: str
    title: str
    level: int
    risk_weight: int = Field(
        description="The open risks it leaves, each weighted by its level (low 1 … critical 4)."
    )
    risks: list[str]


class ResultsOut(Schema):
    assessment: int
    status: AssessmentState
    overall: OverallOut
    clauses: list[ReadinessGroupOut]
    objectives: list[ReadinessGroupOut]
    strengths: list[str]
    gaps: list[GapOut] = Field(description="Most risk left open first.")


@router.get(
    "/readiness/assessments/{readiness_assessment_id}/results",
    auth=READ,
    response=responses(200, ResultsOut, 404),
    summary="Read an assessment's results",
    description="Readiness per clause, per Annex A objective and overall; strengths; gaps ranked "
    "by the open risks they leave.",
)
def readiness_read_results(request, readiness_assessment_id: int):
    assessment = get_assessment(request, readiness_assessment_id)
    return {
        "assessment": assessment.pk,
        "status": assessment.status,
        **results(assessment).as_dict(),
    }


# --- Checklist --------------------------------------------------------------------------------


class ChecklistItemOut(Schema):
    key: ChecklistItemKey
    label: str
    stage: str
    met: bool = Field(description="The tick by hand when there is one, else the data's answer.")
    data_met: bool = Field(description="What the records say, computed now.")
    reason: str
    by_hand: bool
    ticked: bool | None
    note: str
    ticked_by: str | None
    ticked_at: dt.datetime | None


class ChecklistOut(Schema):
    met: int
    total: int
    items: list[ChecklistItemOut]


class TickIn(InputSchema):
    key: ChecklistItemKey
    ticked: StrictBool = Field(True, description="false: not met, whatever the records say.")
    note: text_of(ChecklistTick, "note") = Field("", description="Why; required to tick.")
    clear: StrictBool = Field(False, description="true: remove the tick by hand.")


@router.get(
    "/readiness/checklist",
    auth=READ,
    response=responses(200, ChecklistOut),
    summary="Read the certification-readiness checklist",
)
def readiness_read_checklist(request):
    return checklist(request.org, today=timezone.localdate()).as_dict()


@router.post(
    "/readiness/checklist",
    auth=MANAGE,
    response=responses(200, ChecklistOut, 403, *BODY_ERRORS),
    summary="Tick a checklist item by hand, or clear the tick",
    description="A tick by hand needs a note; the data's own answer stays beside it.",
)
def readiness_tick_checklist(request, payload: TickIn):
    key = str(payload.key.value)
    if payload.clear:
        services.clear_tick(request.org, key, actor=request.user)
    else:
        try:
            services.tick(
                request.org, key, actor=request.user, ticked=payload.ticked, note=payload.note
            )
        except ValidationError as exc:
            Errors().raise_with(exc)
    return checklist(request.org, today=timezone.localdate()).as_dict()


# --- Roadmap ----------------------------------------------------------------------------------


class RoadmapActionIn(InputSchema):
    title: text_of(RoadmapAction, "title")
    description: text_of(RoadmapAction, "description") = ""
    item: StrictInt | None = Field(None, description="The number of the gap (assessment item).")
    owner: Name | None = Field(None, description="Username of a member.")
    due_date: dt.date | None = Field(None, description="Not in the past.")


class RoadmapActionOut(Schema):
    id: int
    title: str
    description: str
    assessment: int | None
    item: int | None
    requirement: str | None
    owner: str | None
    due_date: dt.date | None
    status: ActionState
    done_on: dt.date | None

    @staticmethod
    def resolve_assessment(obj) -> int | None:
        return obj.assessment_id

    @staticmethod
    def resolve_item(obj) -> int | None:
        return obj.item_id

    @staticmethod
    def resolve_requirement(obj) -> str | None:
        return obj.item.ref if obj.item else None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)


def actions_of(org):
    return RoadmapAction.objects.for_org(org).select_related(
        "owner", "item__clause", "item__control"
    )


def get_action(request, action_id: int) -> RoadmapAction:
    action = get_object_or_404(actions_of(request.org), pk=action_id)
    action.organization = request.org
    return action


class RoadmapActionFilters(Schema):
    q: Name | None = None
    status: ActionState | None = None
    overdue: bool | None = None


@router.get(
    "/readiness/roadmap",
    auth=READ,
    response=responses(200, list[RoadmapActionOut], 422),
    summary="List the readiness roadmap",
)
@paginate(Page)
def readiness_list_actions(request, filters: Query[RoadmapActionFilters]):
    return actions_of(request.org).filtered(**filters.model_dump()).order_by("status", "due_date")


def _save_action(request, action: RoadmapAction, data: dict) -> RoadmapAction:
    errors = Errors()
    if "owner" in data:
        action.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "item" in data:
        action.item = None
        if data["item"] is not None:
            action.item = (
                AssessmentItem.objects.filter(
                    assessment__organization=request.org, pk=data["item"]
                ).first()
                if 0 < data["item"] < 2**63
                else None
            )
            if action.item is None:
                errors.add("item", f"Unknown assessment item: {data['item']}.")
    apply(action, data, skip={"owner", "item"})
    clean(action, errors=errors)
    try:
        services.save_action(action, actor=request.user)
    except ValidationError as exc:
        errors.raise_with(exc)
    return get_action(request, action.pk)


@router.post(
    "/readiness/roadmap",
    auth=CONTRIBUTE,
    response=responses(201, RoadmapActionOut, 403, *BODY_ERRORS),
    summary="Add a roadmap action",
)
def readiness_create_action(request, payload: RoadmapActionIn):
    action = RoadmapAction(organization=request.org)
    return HttpStatus(201, _save_action(request, action, payload.model_dump()))


@router.get(
    "/readiness/roadmap/{roadmap_action_id}",
    auth=READ,
    response=responses(200, RoadmapActionOut, 404),
    summary="Read a roadmap action",
)
def readiness_read_action(request, roadmap_action_id: int):
    return get_action(request, roadmap_action_id)


@router.patch(
    "/readiness/roadmap/{roadmap_action_id}",
    auth=CONTRIBUTE,
    response=responses(200, RoadmapActionOut, 403, 404, *BODY_ERRORS),
    summary="Change a roadmap action",
    description="Its status moves through /done and /reopen.",
)
def readiness_update_action(request, roadmap_action_id: int, payload: PatchDict[RoadmapActionIn]):
    return _save_action(request, get_action(request, roadmap_action_id), payload)


@router.post(
    "/readiness/roadmap/{roadmap_action_id}/done",
    auth=CONTRIBUTE,
    response=responses(200, RoadmapActionOut, 403, 404, 409),
    summary="Mark a roadmap action done",
)
def readiness_done_action(request, roadmap_action_id: int):
    action = get_action(request, roadmap_action_id)
    services.mark_done(action, actor=request.user)
    return get_action(request, roadmap_action_id)


@router.post(
    "/readiness/roadmap/{roadmap_action_id}/reopen",
    auth=CONTRIBUTE,
    response=responses(200, RoadmapActionOut, 403, 404, 409),
    summary="Reopen a roadmap action",
)
def readiness_reopen_action(request, roadmap_action_id: int):
    action = get_action(request, roadmap_action_id)
    services.reopen_action(action, actor=request.user)
    return get_action(request, roadmap_action_id)
