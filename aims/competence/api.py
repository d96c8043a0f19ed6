"""Competences, courses, training records, their import and the competence matrix."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, File, PatchDict, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, InvalidInput, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.catalog.links import resolve_requirements
from aims.organizations.models import Role

from . import services
from .matrix import competence_matrix
from .models import Competence, Course, TrainingRecord, TrainingState

router = Router(tags=["Competence and training"])


# --- Competences -----------------------------------------------------------------------------


class CompetenceIn(InputSchema):
    name: text_of(Competence, "name")
    description: text_of(Competence, "description") = ""
    roles: list[Role] = Field([], description="Every member of these roles needs it.")
    people: list[Name] = Field([], description="Usernames of members who need it as well.")
    clauses: list[Name] = Field([], description="Clause numbers, e.g. 7.2.")
    controls: list[Name] = Field([], description="Annex A control ids, e.g. A.4.6.")


class CompetenceOut(Schema):
    id: int
    name: str
    description: str
    roles: list[Role]
    people: list[str]
    courses: list[str]
    clauses: list[str]
    controls: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return [r.role for r in obj.requirements.all() if r.role]

    @staticmethod
    def resolve_people(obj) -> list[str]:
        return [r.person.get_username() for r in obj.requirements.all() if r.person_id]

    @staticmethod
    def resolve_courses(obj) -> list[str]:
        return [c.title for c in obj.courses.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


def competences_of(org):
    return Competence.objects.for_org(org).prefetch_related(
        "requirements__person", "courses", "clauses", "controls"
    )


def get_competence(request, competence_id: int) -> Competence:
    return get_object_or_404(competences_of(request.org), pk=competence_id)


class CompetenceFilters(Schema):
    q: Name | None = Field(None, description="Search in name and description.")
    role: Role | None = Field(None, description="Only competences this role needs.")


@router.get(
    "/competences",
    auth=READ,
    response=responses(200, list[CompetenceOut], 422),
    summary="List competences",
    description="The competences the organization's AI work needs, with who needs them.",
)
@paginate(Page)
def list_competences(request, filters: Query[CompetenceFilters]):
    return competences_of(request.org).filtered(**filters.model_dump())


def _save_competence(request, competence: Competence, data: dict) -> Competence:
    errors = Errors()
    people = None
    if "people" in data:
        people = [
            user
            for name in data["people"] or []
            if (user := member(request.org, name, field="people", errors=errors)) is not None
        ]
    clauses = controls = None
    if "clauses" in data or "controls" in data:
        try:
            clauses, controls = resolve_requirements(
                data.get("clauses") or [], data.get("controls") or []
            )
        except ValidationError as exc:  # names the unknown ids by field
            for field, messages in exc.message_dict.items():
                for message in messages:
                    errors.add(field, message)
        if "clauses" not in data:
            clauses = None
        if "controls" not in data:
            controls = None
    apply(competence, data, skip={"roles", "people", "clauses", "controls"})
    clean(competence, errors=errors)
    services.save_competence(
        competence,
        actor=request.user,
        roles=data.get("roles") if "roles" in data else None,
        people=people,
        clauses=clauses,
        controls=controls,
    )
    return get_competence(request, competence.pk)


@router.post(
    "/competences",
    auth=CONTRIBUTE,
    response=responses(201, CompetenceOut, 403, 409, *BODY_ERRORS),
    summary="Add a competence",
    description="Name it, say which roles and which members need it, and the clauses and "
    "controls it addresses.",
)
def create_competence(request, payload: CompetenceIn):
    competence = Competence(organization=request.org)
    return Status(201, _save_competence(request, competence, payload.model_dump()))


@router.get(
    "/competences/{competence_id}",
    auth=READ,
    response=responses(200, CompetenceOut, 404),
    summary="Read a competence",
)
def read_competence(request, competence_id: int):
    return get_competence(request, competence_id)


@router.patch(
    "/competences/{competence_id}",
    auth=CONTRIBUTE,
    response=responses(200, CompetenceOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a competence",
    description="Changes only the fields sent; a list sent replaces what it names.",
)
def update_competence(request, competence_id: int, payload: PatchDict[CompetenceIn]):
    return _save_competence(request, get_competence(request, competence_id), payload)


# --- Courses ---------------------------------------------------------------------------------


class CourseIn(InputSchema):
    title: text_of(Course, "title")
    provider: text_of(Course, "provider") = ""
    competences: list[Name] = Field([], description="Names of the competences it gives.")
    validity_months: StrictInt | None = Field(
        None, ge=1, le=240, description="How long a completion counts; null: no expiry."
    )
    description: text_of(Course, "description") = ""


class CourseOut(Schema):
    id: int
    title: str
    provider: str
    competences: list[str]
    validity_months: int | None
    description: str

    @staticmethod
    def resolve_competences(obj) -> list[str]:
        return [c.name for c in obj.competences.all()]


def courses_of(org):
    return Course.objects.for_org(org).prefetch_related("competences")


def get_course(request, course_id: int) -> Course:
    return get_object_or_404(courses_of(request.org), pk=course_id)


class CourseFilters(Schema):
    q: Name | None = Field(None, description="Search in title, provider and description.")
    competence: int | None = Field(None, description="Only courses giving this competence (id).")


@router.get(
    "/courses",
    auth=READ,
    response=responses(200, list[CourseOut], 422),
    summary="List courses",
)
@paginate(Page)
def list_courses(request, filters: Query[CourseFilters]):
    return courses_of(request.org).filtered(**filters.model_dump())


def _save_course(request, course: Course, data: dict) -> Course:
    errors = Errors()
    competences = None
    if "competences" in data:
        competences = many(
            Competence.objects.for_org(request.org),
            "name",
            data["competences"] or [],
            field="competences",
            errors=errors,
            what="competence",
        )
    apply(course, data, skip={"competences"})
    clean(course, errors=errors)
    services.save_course(course, actor=request.user, competences=competences)
    return get_course(request, course.pk)


@router.post(
    "/courses",
    auth=CONTRIBUTE,
    response=responses(201, CourseOut, 403, 409, *BODY_ERRORS),
    summary="Add a course",
    description="Its title is unique in the organization: imports match courses by title.",
)
def create_course(request, payload: CourseIn):
    return Status(
        201, _save_course(request, Course(organization=request.org), payload.model_dump())
    )


@router.get(
    "/courses/{course_id}",
    auth=READ,
    response=responses(200, CourseOut, 404),
    summary="Read a course",
)
def read_course(request, course_id: int):
    return get_course(request, course_id)


@router.patch(
    "/courses/{course_id}",
    auth=CONTRIBUTE,
    response=responses(200, CourseOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a course",
)
def update_course(request, course_id: int, payload: PatchDict[CourseIn]):
    return _save_course(request, get_course(request, course_id), payload)


# --- Training records ------------------------------------------------------------------------


class TrainingIn(InputSchema):
    person: Name = Field(description="Username of the member who completed the course.")
    course: StrictInt = Field(description="The course's id.")
    completed_on: dt.date = Field(description="Not in the future.")
    expires_on: dt.date | None = Field(
        None, description="Null: computed from the course's validity."
    )
    evidence: text_of(TrainingRecord, "evidence") = ""
    note: text_of(TrainingRecord, "note") = ""


class TrainingOut(Schema):
    id: int
    person: str
    course: int
    course_title: str
    completed_on: dt.date
    expires_on: dt.date | None
    state: TrainingState
    evidence: str
    note: str

    @staticmethod
    def resolve_person(obj) -> str:
        return username_of(obj.person)

    @staticmethod
    def resolve_course(obj) -> int:
        return obj.course_id

    @staticmethod
    def resolve_course_title(obj) -> str:
        return obj.course.title

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state()


def training_of(org):
    return TrainingRecord.objects.for_org(org).select_related("person", "course")


def get_training(request, training_id: int) -> TrainingRecord:
    return get_object_or_404(training_of(request.org), pk=training_id)


class TrainingFilters(Schema):
    q: Name | None = Field(None, description="Search in person, course, evidence and note.")
    person: Name | None = Field(None, description="Username of the person.")
    course: int | None = Field(None, description="The course's id.")
    state: TrainingState | None = Field(None, description="State today.")


@router.get(
    "/training-records",
    auth=READ,
    response=responses(200, list[TrainingOut], 422),
    summary="List training records",
    description="Newest completion first; filtered as the training records page filters.",
)
@paginate(Page)
def list_training(request, filters: Query[TrainingFilters]):
    errors = Errors()
    person = member(request.org, filters.person, field="person", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen["person"] = person
    return training_of(request.org).filtered(**chosen, today=timezone.localdate())


def _save_training(request, record: TrainingRecord, data: dict) -> TrainingRecord:
    errors = Errors()
    if "person" in data:
        person = member(request.org, data["person"], field="person", errors=errors)
        record.person_id = person.pk if person is not None else None
        if person is None and "person" not in errors:
            errors.add("person", "Name the member who completed the course.")
    if "course" in data:
        course = Course.objects.for_org(request.org).filter(pk=data["course"]).first()
        record.course_id = course.pk if course is not None else None
        if course is None:
            errors.add("course", f"Unknown course: {data['course']}.")
    if "completed_on" in data and "expires_on" not in data and record.pk:
        record.expires_on = None  # recomputed from the course's validity
    apply(record, data, skip={"person", "course"})
    clean(record, errors=errors)
    services.record_training(record, actor=request.user)
    return get_training(request, record.pk)


@router.post(
    "/training-records",
    auth=CONTRIBUTE,
    response=responses(201, TrainingOut, 403, *BODY_ERRORS),
    summary="Record training",
    description="A member completed a course. A completion in the future is refused (422); "
    "without an expiry, it is computed from the course's validity.",
)
def create_training(request, payload: TrainingIn):
    record = TrainingRecord(organization=request.org)
    return Status(201, _save_training(request, record, payload.model_dump()))


class CompetenceImportOut(Schema):
    imported: int = Field(description="Records created.")
    skipped: int = Field(description="Rows already recorded (same person, course and date).")
    dry_run: bool


@router.post(
    "/training-records/import",
    auth=CONTRIBUTE,
    response=responses(201, CompetenceImportOut, 403, *BODY_ERRORS),
    summary="Import training records from a learning system's export",
    description="A multipart form with a CSV `file` whose header names `email_or_username`, "
    "`course` (matched by title), `completed_on` and `expires_on` (YYYY-MM-DD; an empty expiry "
    "is computed from the course). The whole file is checked first: any bad row and nothing is "
    "imported; 422 names each row and column. `dry_run=true` checks without importing.",
)
def import_training(request, file: File[UploadedFile], dry_run: bool = False):
    if file.size > services.IMPORT_MAX_BYTES:
        data = b"x" * (services.IMPORT_MAX_BYTES + 1)
    else:
        data = file.read()
    today = timezone.localdate()
    try:
        if dry_run:
            rows = services.parse_training_csv(request.org, data, today=today)
            new = sum(not r.already_recorded for r in rows)
            return Status(201, {"imported": new, "skipped": len(rows) - new, "dry_run": True})
        result = services.import_training(request.org, data, actor=request.user, today=today)
    except services.ImportRefused as refused:
        errors = {}
        for error in refused.row_errors:
            errors.setdefault(error.column, []).append(str(error))
        raise InvalidInput(errors) from None
    return Status(201, {"imported": result.imported, "skipped": result.skipped, "dry_run": False})


@router.get(
    "/training-records/{training_id}",
    auth=READ,
    response=responses(200, TrainingOut, 404),
    summary="Read a training record",
)
def read_training(request, training_id: int):
    return get_training(request, training_id)


@router.patch(
    "/training-records/{training_id}",
    auth=CONTRIBUTE,
    response=responses(200, TrainingOut, 403, 404, *BODY_ERRORS),
    summary="Change a training record",
)
def update_training(request, training_id: int, payload: PatchDict[TrainingIn]):
    return _save_training(request, get_training(request, training_id), payload)


# --- The matrix ------------------------------------------------------------------------------


class CompetenceCellOut(Schema):
    competence: str
    state: str = Field(description="held, expiring, expired, missing or not_required.")
    expires_on: dt.date | None


class RowOut(Schema):
    person: str
    role: Role
    gaps: int
    cells: list[CompetenceCellOut]


class ColumnOut(Schema):
    id: int
    name: str
    required: int
    gaps: int
    expiring: int


class MatrixOut(Schema):
    today: dt.date
    competences: list[ColumnOut]
    people: list[RowOut]
    required: int
    held: int
    gaps: int
    fully_trained: int
    share_held: float | None = Field(description="Percent of required competences held.")


@router.get(
    "/competence-matrix",
    auth=READ,
    response=responses(200, MatrixOut, 422),
    summary="Read the competence matrix",
    description="Each member against each required competence: held, expiring (within 30 "
    "days), expired, missing or not required; with the gaps per person and per competence.",
)
def read_matrix(request, role: Role | None = None):
    matrix = competence_matrix(request.org, today=timezone.localdate(), role=role)
    names = [c.competence.name for c in matrix.columns]
    return {
        "today": matrix.today,
        "competences": [
            {
                "id": c.competence.pk,
                "name": c.competence.name,
                "required": c.required,
                "gaps": c.gaps,
                "expiring": c.expiring,
            }
            for c in matrix.columns
        ],
        "people": [
            {
                "person": row.person.get_username(),
                "role": row.role,
                "gaps": row.gaps,
                "cells": [
                    {"competence": name, "state": cell.state, "expires_on": cell.expires_on}
                    for name, cell in zip(names, row.cells, strict=True)
                ],
            }
            for row in matrix.rows
        ],
        "required": matrix.required,
        "held": matrix.held,
        "gaps": matrix.gaps,
        "fully_trained": matrix.fully_trained,
        "share_held": matrix.share_held(),
    }
