"""Continual improvement (10.1): the improvement register and the lessons-learned log.

An improvement moves proposed → planned → in progress → done, or is rejected with a reason
(POST /improvements/{id}/status). Done needs the outcome measured: what changed, measured how,
and the date (422 names each missing field).
"""

import datetime as dt

from django.db.models import TextChoices
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
from aims.incidents.models import Incident
from aims.inventory.models import AISystem
from aims.nonconformities.models import Nonconformity

from . import services
from .models import Improvement, Lesson, LessonSource, Source
from .models import Status as ImprovementStatus

router = Router(tags=["Continual improvement"])

ImprovementState = api_choices("ImprovementStatus", ImprovementStatus)
ImprovementSource = api_choices("ImprovementSource", Source)
LessonOrigin = api_choices("LessonSource", LessonSource)
# The list's status filter: a status, or "not_closed" (proposed, planned or in progress).
ImprovementStateFilter = TextChoices(
    "ImprovementStatusFilter",
    [
        *((m.name, (m.value, m.label)) for m in ImprovementStatus),
        ("NOT_CLOSED", ("not_closed", "Open (not done or rejected)")),
    ],
)


class ImprovementOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    source: ImprovementSource
    source_reference: str
    status: ImprovementState
    owner: str | None
    due_date: dt.date | None
    system: str | None
    incident: int | None
    nonconformity: str | None = Field(description="Its ref (NC-007).")
    suggested_by: str | None
    outcome: str
    outcome_measure: str
    outcome_measured_on: dt.date | None
    rejection_reason: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj):
        return username_of(obj.owner)

    @staticmethod
    def resolve_suggested_by(obj):
        return username_of(obj.suggested_by)

    @staticmethod
    def resolve_system(obj):
        return obj.system.slug if obj.system else None

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_nonconformity(obj):
        return obj.nonconformity.ref if obj.nonconformity else None


def improvements_of(org):
    return Improvement.objects.for_org(org).select_related(
        "owner", "suggested_by", "system", "nonconformity"
    )


def get_improvement(request, improvement_id: int) -> Improvement:
    improvement = get_object_or_404(improvements_of(request.org), pk=improvement_id)
    improvement.organization = request.org
    return improvement


class ImprovementFilters(Schema):
    q: Name | None = None
    status: ImprovementStateFilter | None = None
    source: ImprovementSource | None = None
    overdue: bool | None = None


@router.get(
    "/improvements",
    auth=READ,
    response=responses(200, list[ImprovementOut], 422),
    summary="List improvements",
)
@paginate(Page)
def list_improvements(request, filters: Query[ImprovementFilters]):
    chosen = filters.model_dump()
    overdue = chosen.pop("overdue")
    chosen["overdue_on"] = timezone.localdate() if overdue else None
    return improvements_of(request.org).filtered(**chosen).order_by("-created_at", "-pk")


class ImprovementIn(InputSchema):
    title: text_of(Improvement, "title")
    description: text_of(Improvement, "description")
    source: ImprovementSource = ImprovementSource.OTHER
    source_reference: text_of(Improvement, "source_reference") = ""
    owner: Name | None = Field(None, description="Username of a member.")
    due_date: dt.date | None = None
    system: Name | None = Field(None, description="Slug of the AI system.")
    incident: StrictInt | None = Field(None, description="Id of the incident.")
    nonconformity: Name | None = Field(None, description="Ref of the nonconformity (NC-007).")


def _record(queryset, number, *, field: str, what: str, errors: Errors):
    if number is None:
        return None
    found = queryset.filter(pk=number).first() if 0 < number <= MAX_ID else None
    if found is None:
        errors.add(field, f"Unknown {what}: {number}.")
    return found


def _links(request, data: dict, errors: Errors) -> dict:
    found = {}
    org = request.org
    if "owner" in data:
        found["owner"] = member(org, data["owner"], field="owner", errors=errors)
    if "system" in data:
        found["system"] = None
        if data["system"]:
            found["system"] = AISystem.objects.for_org(org).filter(slug=data["system"]).first()
            if found["system"] is None:
                errors.add("system", f"Unknown AI system: {data['system']}.")
    if "incident" in data:
        found["incident"] = _record(
            Incident.objects.for_org(org),
            data["incident"],
            field="incident",
            what="incident",
            errors=errors,
        )
    if "nonconformity" in data:
        found["nonconformity"] = None
        if data["nonconformity"]:
            found["nonconformity"] = (
                Nonconformity.objects.for_org(org).filter(ref=data["nonconformity"]).first()
            )
            if found["nonconformity"] is None:
                errors.add("nonconformity", f"Unknown nonconformity: {data['nonconformity']}.")
    return found


@router.post(
    "/improvements",
    auth=CONTRIBUTE,
    response=responses(201, ImprovementOut, 403, *BODY_ERRORS),
    summary="Record an improvement (proposed)",
)
def create_improvement(request, payload: ImprovementIn):
    data = payload.model_dump()
    errors = Errors()
    links = _links(request, data, errors)
    errors.raise_if_any()
    improvement = services.add_improvement(
        request.org,
        actor=request.user,
        title=data["title"],
        description=data["description"],
        source=data["source"],
        source_reference=data["source_reference"],
        due_date=data["due_date"],
        **links,
    )
    return Status(201, get_improvement(request, improvement.pk))


@router.get(
    "/improvements/{improvement_id}",
    auth=READ,
    response=responses(200, ImprovementOut, 404),
    summary="Read an improvement",
)
def read_improvement(request, improvement_id: int):
    return get_improvement(request, improvement_id)


@router.patch(
    "/improvements/{improvement_id}",
    auth=CONTRIBUTE,
    response=responses(200, ImprovementOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an improvement",
    description="Changes only the fields sent; the status moves through /status. A done or "
    "rejected improvement does not change (409).",
)
def update_improvement(request, improvement_id: int, payload: PatchDict[ImprovementIn]):
    improvement = get_improvement(request, improvement_id)
    data = dict(payload)
    errors = Errors()
    links = _links(request, data, errors)
    for name, value in links.items():
        setattr(improvement, name, value)
    apply(improvement, data, skip={"owner", "system", "incident", "nonconformity"})
    clean(improvement, exclude=["organization", "ref"], errors=errors)
    services.update_improvement(improvement, actor=request.user)
    return get_improvement(request, improvement_id)


class ImprovementMoveIn(InputSchema):
    to: ImprovementState
    reason: bounded_text(2_000) = Field("", description="Required to reject.")
    outcome: text_of(Improvement, "outcome") = Field("", description="Done: what changed.")
    outcome_measure: text_of(Improvement, "outcome_measure") = Field(
        "", description="Done: measured how."
    )
    outcome_measured_on: dt.date | None = Field(None, description="Done: measured on.")


@router.post(
    "/improvements/{improvement_id}/status",
    auth=CONTRIBUTE,
    response=responses(200, ImprovementOut, 403, 404, 409, *BODY_ERRORS),
    summary="Move an improvement",
    description="proposed → planned → in progress → done, or rejected; out of order 409. Done "
    "needs outcome, outcome_measure and outcome_measured_on (422); rejected needs reason.",
)
def move_improvement(request, improvement_id: int, payload: ImprovementMoveIn):
    improvement = get_improvement(request, improvement_id)
    services.move(
        improvement,
        payload.to,
        actor=request.user,
        reason=payload.reason,
        outcome=payload.outcome,
        outcome_measure=payload.outcome_measure,
        outcome_measured_on=payload.outcome_measured_on,
    )
    return get_improvement(request, improvement_id)


@router.delete(
    "/improvements/{improvement_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a proposed improvement recorded by mistake",
)
def delete_improvement(request, improvement_id: int):
    services.delete_improvement(get_improvement(request, improvement_id), actor=request.user)
    return Status(204, None)


# --- Lessons learned ---------------------------------------------------------------------------


class LessonLearnedOut(Schema):
    id: int
    title: str
    what_happened: str
    lesson: str
    source: LessonOrigin
    source_reference: str
    incident: int | None
    nonconformity: str | None
    improvement: str | None
    recorded_by: str | None
    recorded_on: dt.date

    @staticmethod
    def resolve_incident(obj):
        return obj.incident_id

    @staticmethod
    def resolve_nonconformity(obj):
        return obj.nonconformity.ref if obj.nonconformity else None

    @staticmethod
    def resolve_improvement(obj):
        return obj.improvement.ref if obj.improvement else None

    @staticmethod
    def resolve_recorded_by(obj):
        return username_of(obj.recorded_by)


class LessonLearnedIn(InputSchema):
    title: text_of(Lesson, "title")
    what_happened: text_of(Lesson, "what_happened")
    lesson: text_of(Lesson, "lesson")
    source: LessonOrigin = LessonOrigin.OTHER
    source_reference: text_of(Lesson, "source_reference") = ""
    incident: StrictInt | None = None
    nonconformity: Name | None = Field(None, description="Ref of the nonconformity (NC-007).")
    improvement: Name | None = Field(None, description="Ref of the improvement (IMP-004).")
    recorded_on: dt.date | None = Field(None, description="Today when left out.")


def lessons_of(org):
    return Lesson.objects.for_org(org).select_related("recorded_by", "nonconformity", "improvement")


def get_lesson(request, lesson_id: int) -> Lesson:
    lesson = get_object_or_404(lessons_of(request.org), pk=lesson_id)
    lesson.organization = request.org
    return lesson


class LessonLearnedFilters(Schema):
    q: Name | None = None
    source: LessonOrigin | None = None


@router.get(
    "/lessons-learned",
    auth=READ,
    response=responses(200, list[LessonLearnedOut], 422),
    summary="List lessons",
)
@paginate(Page)
def list_lessons_learned(request, filters: Query[LessonLearnedFilters]):
    return lessons_of(request.org).filtered(**filters.model_dump()).order_by("-recorded_on", "-pk")


def _save_lesson(request, lesson: Lesson, data: dict) -> Lesson:
    errors = Errors()
    links = _links(
        request, {k: v for k, v in data.items() if k in ("incident", "nonconformity")}, errors
    )
    if "improvement" in data:
        lesson.improvement = None
        if data["improvement"]:
            lesson.improvement = (
                Improvement.objects.for_org(request.org).filter(ref=data["improvement"]).first()
            )
            if lesson.improvement is None:
                errors.add("improvement", f"Unknown improvement: {data['improvement']}.")
    for name, value in links.items():
        setattr(lesson, name, value)
    if data.get("recorded_on", "") is None:
        data["recorded_on"] = lesson.recorded_on or timezone.localdate()
    apply(lesson, data, skip={"incident", "nonconformity", "improvement"})
    clean(lesson, exclude=["organization", "recorded_by"], errors=errors)
    services.save_lesson(lesson, actor=request.user)
    return get_lesson(request, lesson.pk)


@router.post(
    "/lessons-learned",
    auth=CONTRIBUTE,
    response=responses(201, LessonLearnedOut, 403, *BODY_ERRORS),
    summary="Record a lesson learned",
)
def create_lesson_learned(request, payload: LessonLearnedIn):
    lesson = Lesson(organization=request.org, recorded_on=timezone.localdate())
    return Status(201, _save_lesson(request, lesson, payload.model_dump()))


@router.get(
    "/lessons-learned/{lesson_id}",
    auth=READ,
    response=responses(200, LessonLearnedOut, 404),
    summary="Read a lesson learned",
)
def read_lesson_learned(request, lesson_id: int):
    return get_lesson(request, lesson_id)


@router.patch(
    "/lessons-learned/{lesson_id}",
    auth=CONTRIBUTE,
    response=responses(200, LessonLearnedOut, 403, 404, *BODY_ERRORS),
    summary="Change a lesson learned",
)
def update_lesson_learned(request, lesson_id: int, payload: PatchDict[LessonLearnedIn]):
    return _save_lesson(request, get_lesson(request, lesson_id), dict(payload))
