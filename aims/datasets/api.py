"""Data sets (A.7), their uses by AI systems and quality checks, and other resources (A.4)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, MANAGE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, member, numbered
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import clauses_named, controls_named
from aims.checks.models import Check
from aims.inventory.models import AISystem

from . import services
from .models import (
    Acquisition,
    DataSet,
    DataSetUse,
    LegalBasis,
    Purpose,
    Resource,
    ResourceKind,
)

router = Router(tags=["Data sets and resources"])

DataAcquisition = api_choices("DataAcquisition", Acquisition)
DataLegalBasis = api_choices("DataLegalBasis", LegalBasis)
DataPurpose = api_choices("DataPurpose", Purpose)
AIResourceKind = api_choices("AIResourceKind", ResourceKind)


# --- Data sets -------------------------------------------------------------------------------


class DataSetIn(InputSchema):
    name: text_of(DataSet, "name")
    description: text_of(DataSet, "description") = ""
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    acquisition: DataAcquisition = DataAcquisition.OTHER
    source: text_of(DataSet, "source") = ""
    licence: text_of(DataSet, "licence") = ""
    legal_basis: DataLegalBasis = DataLegalBasis.UNKNOWN
    provenance: text_of(DataSet, "provenance") = ""
    personal_data_categories: text_of(DataSet, "personal_data_categories") = ""
    special_categories: bool = False
    known_quality_issues: text_of(DataSet, "known_quality_issues") = ""
    quality_checks: list[StrictInt] = Field(
        [], description="Numbers of the checks (of this organization) that test the data set."
    )
    preparation: text_of(DataSet, "preparation") = ""
    retention: text_of(DataSet, "retention") = ""
    retain_until: dt.date | None = Field(None, description="Kept until this date.")
    clauses: list[Name] = Field([], description="Clause numbers it addresses.")
    controls: list[Name] = Field([], description="Annex A control ids it addresses (A.7.x).")


class DataSetUseOut(Schema):
    id: int
    system: str = Field(description="The AI system's slug.")
    system_name: str
    purpose: DataPurpose
    system_version: str

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_system_name(obj) -> str:
        return obj.system.name


class DataSetOut(Schema):
    id: int
    name: str
    description: str
    owner: str | None
    acquisition: DataAcquisition
    source: str
    licence: str
    legal_basis: DataLegalBasis
    provenance: str
    personal_data_categories: str
    special_categories: bool
    known_quality_issues: str
    quality_checks: list[int]
    preparation: str
    retention: str
    retain_until: dt.date | None
    uses: list[DataSetUseOut]
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_quality_checks(obj) -> list[int]:
        return [c.pk for c in obj.quality_checks.all()]

    @staticmethod
    def resolve_uses(obj) -> list:
        return list(obj.uses.all())

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]


def datasets_of(org):
    return (
        DataSet.objects.for_org(org)
        .select_related("owner")
        .prefetch_related(
            "clauses",
            "controls",
            "quality_checks",
            Prefetch("uses", queryset=DataSetUse.objects.select_related("system")),
        )
    )


def get_dataset(request, dataset_id: int) -> DataSet:
    return get_object_or_404(datasets_of(request.org), pk=dataset_id)


def checks_numbered(org, numbers, *, errors: Errors, field: str = "quality_checks") -> list:
    return numbered(Check.objects.for_org(org), numbers, field=field, errors=errors, what="check")


class DataSetFilters(Schema):
    q: Name | None = Field(None, description="Search in name, description, source, provenance.")
    system: Name | None = Field(None, description="Slug of an AI system that uses it.")
    purpose: DataPurpose | None = None
    acquisition: DataAcquisition | None = None
    legal_basis: DataLegalBasis | None = None
    personal: bool | None = Field(None, description="true: holds personal data; false: none.")


@router.get(
    "/datasets",
    auth=READ,
    response=responses(200, list[DataSetOut], 422),
    summary="List data sets",
    description="The organization's data sets, by name; filtered as the list page is.",
)
@paginate(Page)
def list_datasets(request, filters: Query[DataSetFilters]):
    chosen = filters.model_dump()
    personal = chosen.pop("personal")
    chosen["personal"] = None if personal is None else ("yes" if personal else "no")
    return datasets_of(request.org).filtered(**chosen).order_by("name", "pk")


def _save_dataset(request, dataset: DataSet, data: dict) -> DataSet:
    errors = Errors()
    links = {}
    if "owner" in data:
        dataset.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "quality_checks" in data:
        links["quality_checks"] = checks_numbered(
            request.org, data["quality_checks"], errors=errors
        )
    if "clauses" in data:
        links["clauses"] = clauses_named(data["clauses"], errors=errors)
    if "controls" in data:
        links["controls"] = controls_named(data["controls"], errors=errors)
    apply(dataset, data, skip={"owner", "quality_checks", "clauses", "controls"})
    clean(dataset, errors=errors)
    try:
        services.save_dataset(dataset, actor=request.user, **links)
    except ValidationError as exc:
        errors.raise_with(exc)
    return get_dataset(request, dataset.pk)


@router.post(
    "/datasets",
    auth=CONTRIBUTE,
    response=responses(201, DataSetOut, 403, 409, *BODY_ERRORS),
    summary="Record a data set",
    description="A name already used in the organization is refused (422).",
)
def create_dataset(request, payload: DataSetIn):
    dataset = DataSet(organization=request.org)
    return Status(201, _save_dataset(request, dataset, payload.model_dump()))


@router.get(
    "/datasets/{dataset_id}",
    auth=READ,
    response=responses(200, DataSetOut, 404),
    summary="Read a data set",
)
def read_dataset(request, dataset_id: int):
    return get_dataset(request, dataset_id)


@router.patch(
    "/datasets/{dataset_id}",
    auth=CONTRIBUTE,
    response=responses(200, DataSetOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change a data set",
    description="Changes only the fields sent; a list sent replaces the links it names.",
)
def update_dataset(request, dataset_id: int, payload: PatchDict[DataSetIn]):
    return _save_dataset(request, get_dataset(request, dataset_id), payload)


@router.delete(
    "/datasets/{dataset_id}",
    auth=MANAGE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a data set",
    description="Refused (409) while an AI system in deployment or operation uses it.",
)
def delete_dataset(request, dataset_id: int):
    services.delete_dataset(get_dataset(request, dataset_id), actor=request.user)
    return Status(204, None)


class DataSetQualityChecksIn(InputSchema):
    checks: list[StrictInt] = Field(description="Numbers of the checks; replaces the list.")


@router.put(
    "/datasets/{dataset_id}/quality-checks",
    auth=CONTRIBUTE,
    response=responses(200, DataSetOut, 403, 404, *BODY_ERRORS),
    summary="Set a data set's quality checks",
    description="The checks (of this organization, of any kind) that test the data set.",
)
def set_quality_checks(request, dataset_id: int, payload: DataSetQualityChecksIn):
    dataset = get_dataset(request, dataset_id)
    errors = Errors()
    checks = checks_numbered(request.org, payload.checks, errors=errors, field="checks")
    errors.raise_if_any()
    services.set_quality_checks(dataset, checks, actor=request.user)
    return get_dataset(request, dataset.pk)


class DataSetUseIn(InputSchema):
    system: Name = Field(description="Slug of an AI system of the organization.")
    purpose: DataPurpose
    system_version: text_of(DataSetUse, "system_version") = Field(
        "", description="The version that uses it; empty: every version."
    )


@router.post(
    "/datasets/{dataset_id}/uses",
    auth=CONTRIBUTE,
    response=responses(201, DataSetUseOut, 403, 404, *BODY_ERRORS),
    summary="Record a use of a data set",
    description="An AI system (from a version on) uses the data set for a purpose.",
)
def add_use(request, dataset_id: int, payload: DataSetUseIn):
    dataset = get_dataset(request, dataset_id)
    errors = Errors()
    system = AISystem.objects.for_org(request.org).filter(slug=payload.system).first()
    if system is None:
        errors.add("system", f"Unknown AI system: {payload.system}.")
    errors.raise_if_any()
    try:
        use = services.add_use(
            dataset,
            system=system,
            purpose=payload.purpose,
            system_version=payload.system_version,
            actor=request.user,
        )
    except ValidationError as exc:
        errors.raise_with(exc)
    return Status(201, use)


@router.delete(
    "/datasets/{dataset_id}/uses/{use_id}",
    auth=CONTRIBUTE,
    response=responses(204, None, 403, 404),
    summary="Remove a use of a data set",
)
def remove_use(request, dataset_id: int, use_id: int):
    dataset = get_dataset(request, dataset_id)
    use = get_object_or_404(DataSetUse.objects.filter(dataset=dataset), pk=use_id)
    services.remove_use(use, actor=request.user)
    return Status(204, None)


# --- Other resources -------------------------------------------------------------------------


class AIResourceIn(InputSchema):
    system: Name = Field(description="Slug of the AI system it serves.")
    kind: AIResourceKind = AIResourceKind.OTHER
    name: text_of(Resource, "name")
    description: text_of(Resource, "description") = ""
    owner: Name | None = Field(None, description="Username of a member of the organization.")


class AIResourceOut(Schema):
    id: int
    system: str
    kind: AIResourceKind
    name: str
    description: str
    owner: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)


def resources_of(org):
    return Resource.objects.for_org(org).select_related("system", "owner")


def get_resource(request, resource_id: int) -> Resource:
    return get_object_or_404(resources_of(request.org), pk=resource_id)


class AIResourceFilters(Schema):
    q: Name | None = Field(None, description="Search in name and description.")
    system: Name | None = Field(None, description="Slug of the AI system.")
    kind: AIResourceKind | None = None


@router.get(
    "/resources",
    auth=READ,
    response=responses(200, list[AIResourceOut], 422),
    summary="List AI system resources",
    description="Tooling, computing, human and other resources of the AI systems (A.4).",
)
@paginate(Page)
def list_resources(request, filters: Query[AIResourceFilters]):
    return resources_of(request.org).filtered(**filters.model_dump())


def _save_resource(request, resource: Resource, data: dict) -> Resource:
    errors = Errors()
    if "owner" in data:
        resource.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if "system" in data:
        system = AISystem.objects.for_org(request.org).filter(slug=data["system"]).first()
        if system is None:
            errors.add("system", f"Unknown AI system: {data['system']}.")
        else:
            resource.system = system
    apply(resource, data, skip={"owner", "system"})
    clean(resource, errors=errors)
    try:
        services.save_resource(resource, actor=request.user)
    except ValidationError as exc:
        errors.raise_with(exc)
    return get_resource(request, resource.pk)


@router.post(
    "/resources",
    auth=CONTRIBUTE,
    response=responses(201, AIResourceOut, 403, *BODY_ERRORS),
    summary="Record a resource of an AI system",
)
def create_resource(request, payload: AIResourceIn):
    resource = Resource(organization=request.org)
    return Status(201, _save_resource(request, resource, payload.model_dump()))


@router.get(
    "/resources/{resource_id}",
    auth=READ,
    response=responses(200, AIResourceOut, 404),
    summary="Read a resource",
)
def read_resource(request, resource_id: int):
    return get_resource(request, resource_id)


@router.patch(
    "/resources/{resource_id}",
    auth=CONTRIBUTE,
    response=responses(200, AIResourceOut, 403, 404, *BODY_ERRORS),
    summary="Change a resource",
)
def update_resource(request, resource_id: int, payload: PatchDict[AIResourceIn]):
    return _save_resource(request, get_resource(request, resource_id), payload)


@router.delete(
    "/resources/{resource_id}",
    auth=CONTRIBUTE,
    response=responses(204, None, 403, 404),
    summary="Delete a resource",
)
def delete_resource(request, resource_id: int):
    services.delete_resource(get_resource(request, resource_id), actor=request.user)
    return Status(204, None)
