"""Suppliers and customers (A.10.2, A.10.4) and supplier assessments (A.10.3)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status as HttpStatus
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import clauses_named, controls_named
from aims.datasets.models import DataSet
from aims.inventory.models import AISystem

from . import services
from .models import Kind, Outcome, Status, SupplierAssessment, ThirdParty

router = Router(tags=["Suppliers and customers"])

ThirdPartyKind = api_choices("ThirdPartyKind", Kind)
ThirdPartyStatus = api_choices("ThirdPartyStatus", Status)
SupplierAssessmentOutcome = api_choices("SupplierAssessmentOutcome", Outcome)


class ThirdPartyIn(InputSchema):
    name: text_of(ThirdParty, "name")
    kind: ThirdPartyKind = ThirdPartyKind.SERVICE
    contact: text_of(ThirdParty, "contact") = ""
    description: text_of(ThirdParty, "description") = ""
    systems: list[Name] = Field([], description="Slugs of the AI systems concerned.")
    datasets: list[StrictInt] = Field([], description="Numbers of the data sets concerned.")
    responsibilities: text_of(ThirdParty, "responsibilities") = Field(
        "", description="What they are responsible for (A.10.2)."
    )
    our_responsibilities: text_of(ThirdParty, "our_responsibilities") = ""
    commitments: text_of(ThirdParty, "commitments") = Field(
        "", description="For a customer: what was told or contracted (A.10.4)."
    )
    contract_reference: text_of(ThirdParty, "contract_reference") = ""
    contract_date: dt.date | None = None
    status: ThirdPartyStatus = ThirdPartyStatus.ACTIVE
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    clauses: list[Name] = Field([], description="Clause numbers it addresses.")
    controls: list[Name] = Field([], description="Annex A control ids it addresses (A.10.x).")


class SupplierAssessmentOut(Schema):
    id: int
    third_party: int
    assessed_on: dt.date
    assessor: str | None
    outcome: SupplierAssessmentOutcome
    findings: str
    next_due: dt.date
    created_at: dt.datetime

    @staticmethod
    def resolve_third_party(obj) -> int:
        return obj.third_party_id

    @staticmethod
    def resolve_assessor(obj) -> str | None:
        return username_of(obj.assessor)


class ThirdPartyOut(Schema):
    id: int
    name: str
    kind: ThirdPartyKind
    contact: str
    description: str
    systems: list[str]
    datasets: list[int]
    responsibilities: str
    our_responsibilities: str
    commitments: str
    contract_reference: str
    contract_date: dt.date | None
    status: ThirdPartyStatus
    ended_on: dt.date | None
    owner: str | None
    clauses: list[str]
    controls: list[str]
    last_assessed: dt.date | None = Field(description="The date of its latest assessment.")
    last_outcome: SupplierAssessmentOutcome | None
    next_assessment_due: dt.date | None = Field(description="From its latest assessment.")
    assessment_overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_datasets(obj) -> list[int]:
        return [d.pk for d in obj.datasets.all()]

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_next_assessment_due(obj) -> dt.date | None:
        return obj.next_due

    @staticmethod
    def resolve_assessment_overdue(obj) -> bool:
        return (
            obj.status == Status.ACTIVE
            and obj.next_due is not None
            and obj.next_due < timezone.localdate()
        )


def third_parties_of(org):
    return (
        ThirdParty.objects.for_org(org)
        .with_assessment()
        .select_related("owner")
        .prefetch_related("systems", "datasets", "clauses", "controls")
    )


def get_third_party(request, third_party_id: int) -> ThirdParty:
    return get_object_or_404(third_parties_of(request.org), pk=third_party_id)


class ThirdPartyFilters(Schema):
    q: Name | None = Field(None, description="Search in name, description, contact.")
    kind: ThirdPartyKind | None = None
    status: ThirdPartyStatus | None = None
    due: bool | None = Field(None, description="true: assessment overdue or due within 30 days.")
    system: Name | None = Field(None, description="Slug of an AI system.")


@router.get(
    "/third-parties",
    auth=READ,
    response=responses(200, list[ThirdPartyOut], 422),
    summary="List suppliers and customers",
    description="The organization's third parties, by name; filtered as the list page is.",
)
@paginate(Page)
def list_third_parties(request, filters: Query[ThirdPartyFilters]):
    return third_parties_of(request.org).filtered(**filters.model_dump()).order_by("name", "pk")


def _numbered_datasets(org, numbers, *, errors: Errors) -> list:
    datasets = DataSet.objects.for_org(org)
    return numbered(datasets, numbers, field="datasets", errors=errors, what="data set")


def _save_third_party(request, third_party: ThirdParty, data: dict) -> ThirdParty:
    errors = Errors()
    links = {}
    if "owner" in data:
        third_party.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "systems" in data:
        links["systems"] = many(
            AISystem.objects.for_org(request.org),
            "slug",
            data["systems"],
            field="systems",
            errors=errors,
            what="AI system",
        )
    if "datasets" in data:
        links["datasets"] = _numbered_datasets(request.org, data["datasets"], errors=errors)
    if "clauses" in data:
        links["clauses"] = clauses_named(data["clauses"], errors=errors)
    if "controls" in data:
        links["controls"] = controls_named(data["controls"], errors=errors)
    apply(third_party, data, skip={"owner", "systems", "datasets", "clauses", "controls"})
    clean(third_party, errors=errors)
    try:
        services.save_third_party(third_party, actor=request.user, **links)
    except ValidationError as exc:
        errors.raise_with(exc)
    return get_third_party(request, third_party.pk)


@router.post(
    "/third-parties",
    auth=CONTRIBUTE,
    response=responses(201, ThirdPartyOut, 403, *BODY_ERRORS),
    summary="Record a supplier or customer",
    description="A name already used in the organization is refused (422).",
)
def create_third_party(request, payload: ThirdPartyIn):
    third_party = ThirdParty(organization=request.org)
    return HttpStatus(201, _save_third_party(request, third_party, payload.model_dump()))


@router.get(
    "/third-parties/{third_party_id}",
    auth=READ,
    response=responses(200, ThirdPartyOut, 404),
    summary="Read a supplier or customer",
)
def read_third_party(request, third_party_id: int):
    return get_third_party(request, third_party_id)


@router.patch(
    "/third-parties/{third_party_id}",
    auth=CONTRIBUTE,
    response=responses(200, ThirdPartyOut, 403, 404, *BODY_ERRORS),
    summary="Change a supplier or customer",
    description="Changes only the fields sent; a list sent replaces the links it names. Status "
    "ended records the date the relationship ended.",
)
def update_third_party(request, third_party_id: int, payload: PatchDict[ThirdPartyIn]):
    return _save_third_party(request, get_third_party(request, third_party_id), payload)


@router.delete(
    "/third-parties/{third_party_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a supplier or customer",
    description="Only a record made by mistake: refused (409) once it has an assessment; end "
    "the relationship instead (PATCH status ended).",
)
def delete_third_party(request, third_party_id: int):
    services.delete_third_party(get_third_party(request, third_party_id), actor=request.user)
    return HttpStatus(204, None)


# --- Assessments -----------------------------------------------------------------------------


class SupplierAssessmentIn(InputSchema):
    assessed_on: dt.date = Field(description="Today or earlier.")
    assessor: Name | None = Field(None, description="Username of the member who assessed.")
    outcome: SupplierAssessmentOutcome
    findings: text_of(SupplierAssessment, "findings") = ""
    next_due: dt.date = Field(description="When the next assessment is due; after assessed_on.")


@router.get(
    "/third-parties/{third_party_id}/assessments",
    auth=READ,
    response=responses(200, list[SupplierAssessmentOut], 404, 422),
    summary="List a supplier's assessments",
    description="Newest first.",
)
@paginate(Page)
def list_assessments(request, third_party_id: int):
    third_party = get_object_or_404(ThirdParty.objects.for_org(request.org), pk=third_party_id)
    return third_party.assessments.select_related("assessor").order_by("-assessed_on", "-pk")


@router.post(
    "/third-parties/{third_party_id}/assessments",
    auth=CONTRIBUTE,
    response=responses(201, SupplierAssessmentOut, 403, 404, *BODY_ERRORS),
    summary="Record a supplier assessment",
    description="An assessment dated in the future, or whose next one is not after it, is "
    "refused (422).",
)
def create_assessment(request, third_party_id: int, payload: SupplierAssessmentIn):
    third_party = get_object_or_404(ThirdParty.objects.for_org(request.org), pk=third_party_id)
    errors = Errors()
    data = payload.model_dump()
    assessment = SupplierAssessment(third_party=third_party)
    assessment.assessor = member(request.org, data.pop("assessor"), field="assessor", errors=errors)
    apply(assessment, data)
    clean(assessment, exclude=["third_party"], errors=errors)
    try:
        services.record_assessment(assessment, actor=request.user)
    except ValidationError as exc:
        errors.raise_with(exc)
    return HttpStatus(201, assessment)
