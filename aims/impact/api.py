"""AI system impact assessments (6.1.4, 8.4, A.5): the assessments, their findings, submission,
sign-off, reassessment and the risks raised from findings."""

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool, StrictInt

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, bounded_text, text_of, username_of
from aims.catalog.lookups import requirement_links
from aims.inventory.models import AISystem

from . import services
from .models import (
    Currency,
    Dimension,
    ImpactAssessment,
    ImpactFinding,
    Residual,
)
from .models import Status as AssessmentStatus

router = Router(tags=["Impact assessments"])

AssessmentState = api_choices("ImpactAssessmentStatus", AssessmentStatus)
AssessmentCurrency = api_choices("ImpactAssessmentCurrency", Currency)
ImpactDimension = api_choices("ImpactDimension", Dimension)
ResidualImpact = api_choices("ResidualImpact", Residual)
Scale = Annotated[StrictInt, Field(ge=1, le=5)]


# --- Output ------------------------------------------------------------------------------------


class ImpactFindingOut(Schema):
    dimension: ImpactDimension
    label: str
    not_relevant: bool
    not_relevant_reason: str
    consequences: str
    severity: int | None = Field(description="1 (negligible) to 5 (severe).")
    likelihood: int | None = Field(description="1 (rare) to 5 (almost certain).")
    existing_mitigations: str
    planned_mitigations: str
    residual: ResidualImpact | None
    residual_note: str
    risks: list[str] = Field(description="Refs of the risks raised from this finding.")

    @staticmethod
    def resolve_label(obj) -> str:
        return obj.get_dimension_display()

    @staticmethod
    def resolve_residual(obj):
        return obj.residual or None

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return sorted(r.ref for r in obj.risks.all())


class ImpactAssessmentOut(Schema):
    id: int
    system: str = Field(description="The AI system's short id (slug).")
    system_version: str
    title: str
    intended_use: str
    foreseeable_misuse: str
    affected_individuals: str
    affected_groups: str
    affected_society: str
    deployer_process: str
    period_of_use: str
    persons_affected: str
    specific_risks: str
    oversight_measures: str
    remedy_measures: str
    status: AssessmentState
    currency: AssessmentCurrency | None = Field(
        description="For a signed-off assessment: current, due (the system changed, or the "
        "reassessment date is near) or overdue."
    )
    is_current: bool = Field(description="Counts at the stage gate now.")
    fria_applies: bool = Field(
        description="EU AI Act Art. 27 applies: a high-risk system, and the organization deploys "
        "it."
    )
    author: str | None
    last_edited_by: str | None
    submitted_at: dt.datetime | None
    signed_by: str | None
    signed_at: dt.datetime | None
    signer_authority: str
    signed_version: str
    signed_stage: str
    next_reassessment: dt.date | None
    previous: int | None = Field(description="The assessment this one reassesses.")
    clauses: list[str]
    controls: list[str]
    findings: list[ImpactFindingOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_currency(obj):
        return obj.currency()

    @staticmethod
    def resolve_is_current(obj) -> bool:
        return obj.is_current()

    @staticmethod
    def resolve_fria_applies(obj) -> bool:
        return obj.fria_applies()

    @staticmethod
    def resolve_author(obj):
        return username_of(obj.author)

    @staticmethod
    def resolve_last_edited_by(obj):
        return username_of(obj.last_edited_by)

    @staticmethod
    def resolve_signed_by(obj):
        return username_of(obj.signed_by)

    @staticmethod
    def resolve_previous(obj):
        return obj.previous_id

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_findings(obj):
        return sorted(obj.findings.all(), key=lambda f: f.pk)


def assessments_of(org):
    return (
        ImpactAssessment.objects.for_org(org)
        .select_related("system", "author", "last_edited_by", "signed_by")
        .prefetch_related("clauses", "controls", "findings__risks")
    )


def get_assessment(request, assessment_id: int) -> ImpactAssessment:
    return get_object_or_404(assessments_of(request.org), pk=assessment_id)


# --- Assessments -------------------------------------------------------------------------------


class ImpactAssessmentFilters(Schema):
    q: Name | None = Field(None, description="Search in title, system and affected people.")
    system: Name | None = Field(None, description="The AI system's short id.")
    status: AssessmentState | None = None
    currency: AssessmentCurrency | None = None


@router.get(
    "/impact-assessments",
    auth=READ,
    response=responses(200, list[ImpactAssessmentOut], 422),
    summary="List impact assessments",
    description="The organization's impact assessments, newest first; filtered as the list "
    "page is.",
)
@paginate(Page)
def list_impact_assessments(request, filters: Query[ImpactAssessmentFilters]):
    chosen = filters.model_dump()
    if chosen["system"]:
        system = AISystem.objects.for_org(request.org).filter(slug=chosen["system"]).first()
        chosen["system"] = system.pk if system else 0
    else:
        chosen["system"] = None
    return assessments_of(request.org).filtered(**chosen, today=timezone.localdate())


class ImpactAssessmentIn(InputSchema):
    system: Name = Field(description="The AI system's short id (slug); set on creation only.")
    system_version: text_of(ImpactAssessment, "system_version") = Field(
        "", description="The system's version when left empty."
    )
    title: text_of(ImpactAssessment, "title") = Field(
        "", description="“Impact assessment: <system> v<version>” when left empty."
    )
    intended_use: text_of(ImpactAssessment, "intended_use") = Field(
        "", description="The system's when left empty."
    )
    foreseeable_misuse: text_of(ImpactAssessment, "foreseeable_misuse") = Field(
        "", description="The system's when left empty."
    )
    affected_individuals: text_of(ImpactAssessment, "affected_individuals") = ""
    affected_groups: text_of(ImpactAssessment, "affected_groups") = ""
    affected_society: text_of(ImpactAssessment, "affected_society") = ""
    deployer_process: text_of(ImpactAssessment, "deployer_process") = ""
    period_of_use: text_of(ImpactAssessment, "period_of_use") = ""
    persons_affected: text_of(ImpactAssessment, "persons_affected") = ""
    specific_risks: text_of(ImpactAssessment, "specific_risks") = ""
    oversight_measures: text_of(ImpactAssessment, "oversight_measures") = ""
    remedy_measures: text_of(ImpactAssessment, "remedy_measures") = ""
    next_reassessment: dt.date | None = Field(
        None, description="Planned; 12 months after sign-off when left empty."
    )
    clauses: list[Name] | None = Field(
        None, description="Clause numbers; 6.1.4 and 8.4 if left out."
    )
    controls: list[Name] | None = Field(
        None, description="Annex A control ids; A.5.2 to A.5.5 if left out."
    )


SKIP = {"system", "clauses", "controls"}


@router.post(
    "/impact-assessments",
    auth=CONTRIBUTE,
    response=responses(201, ImpactAssessmentOut, 403, *BODY_ERRORS),
    summary="Start an impact assessment",
    description="A draft with one finding per impact dimension. One assessment of a system is "
    "written at a time (422 on system otherwise).",
)
def create_impact_assessment(request, payload: ImpactAssessmentIn):
    data = payload.model_dump()
    errors = Errors()
    system = AISystem.objects.for_org(request.org).filter(slug=data["system"]).first()
    if system is None:
        errors.add("system", f"Unknown AI system: {data['system']}.")
    links = requirement_links(data, errors)
    assessment = ImpactAssessment(organization=request.org, system=system)
    apply(assessment, data, skip=SKIP)
    clean(assessment, exclude=["system", "title"] if system is None else ["title"], errors=errors)
    services.create_assessment(assessment, actor=request.user, **links)
    return Status(201, get_assessment(request, assessment.pk))


@router.get(
    "/impact-assessments/{assessment_id}",
    auth=READ,
    response=responses(200, ImpactAssessmentOut, 404),
    summary="Read an impact assessment",
)
def read_impact_assessment(request, assessment_id: int):
    return get_assessment(request, assessment_id)


@router.patch(
    "/impact-assessments/{assessment_id}",
    auth=CONTRIBUTE,
    response=responses(200, ImpactAssessmentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an impact assessment",
    description="Only while it is a draft or submitted for review (409 once signed off: "
    "reassess it instead). The system does not change.",
)
def update_impact_assessment(request, assessment_id: int, payload: PatchDict[ImpactAssessmentIn]):
    assessment = get_assessment(request, assessment_id)
    data = dict(payload)
    errors = Errors()
    if "system" in data and data["system"] != assessment.system.slug:
        errors.add("system", "An assessment stays with the system it assesses.")
    links = requirement_links(data, errors)
    apply(assessment, data, skip=SKIP)
    clean(assessment, errors=errors)
    services.save_assessment(assessment, actor=request.user, **links)
    return get_assessment(request, assessment.pk)


@router.delete(
    "/impact-assessments/{assessment_id}",
    auth=CONTRIBUTE,
    response=responses(204, None, 403, 404, 409),
    summary="Delete a draft impact assessment",
    description="Only a draft (409 otherwise: submitted and signed-off ones stay for audits).",
)
def delete_impact_assessment(request, assessment_id: int):
    services.delete_assessment(get_assessment(request, assessment_id), actor=request.user)
    return Status(204, None)


# --- Findings ----------------------------------------------------------------------------------


class ImpactFindingIn(InputSchema):
    not_relevant: StrictBool | None = None
    not_relevant_reason: text_of(ImpactFinding, "not_relevant_reason") | None = None
    consequences: text_of(ImpactFinding, "consequences") | None = None
    severity: Scale | None = Field(None, description="1 (negligible) to 5 (severe); null clears.")
    likelihood: Scale | None = Field(
        None, description="1 (rare) to 5 (almost certain); null clears."
    )
    existing_mitigations: text_of(ImpactFinding, "existing_mitigations") | None = None
    planned_mitigations: text_of(ImpactFinding, "planned_mitigations") | None = None
    residual: ResidualImpact | None = None
    residual_note: text_of(ImpactFinding, "residual_note") | None = None


ImpactFindingsIn = type(
    "ImpactFindingsIn",
    (InputSchema,),
    {
        "__annotations__": {d.value: ImpactFindingIn | None for d in Dimension},
        **{d.value: Field(None, description=d.label) for d in Dimension},
    },
)

TEXTS = {
    "not_relevant_reason",
    "consequences",
    "existing_mitigations",
    "planned_mitigations",
    "residual_note",
}


@router.patch(
    "/impact-assessments/{assessment_id}/findings",
    auth=CONTRIBUTE,
    response=responses(200, ImpactAssessmentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change findings of an impact assessment",
    description="An object keyed by dimension (fairness, privacy, safety, rights, economic, "
    "environmental, transparency, societal); each changes only the fields sent. Errors name "
    "the field as <dimension>.<field>.",
)
def update_impact_findings(request, assessment_id: int, payload: ImpactFindingsIn):
    assessment = get_assessment(request, assessment_id)
    changes = {}
    for dimension, values in payload.model_dump(exclude_unset=True).items():
        if values is None:
            continue
        fields = {}
        for name, value in values.items():
            if value is None and name in TEXTS:
                value = ""
            elif value is None and name == "not_relevant":
                value = False
            elif value is None and name == "residual":
                value = ""
            fields[name] = value
        changes[dimension] = fields
    services.save_findings(assessment, changes, actor=request.user)
    return get_assessment(request, assessment.pk)


# --- The life cycle ----------------------------------------------------------------------------


@router.post(
    "/impact-assessments/{assessment_id}/submit",
    auth=CONTRIBUTE,
    response=responses(200, ImpactAssessmentOut, 403, 404, 409, 422),
    summary="Submit an impact assessment for review",
    description="Every dimension must be assessed (or marked not relevant with a reason): 422 "
    "names what is missing; 409 when it is not a draft.",
)
def submit_impact_assessment(request, assessment_id: int):
    services.submit(get_assessment(request, assessment_id), actor=request.user)
    return get_assessment(request, assessment_id)


class ImpactSignOffIn(InputSchema):
    next_reassessment: dt.date | None = Field(
        None, description="After today; 12 months from the sign-off when left out."
    )
    note: bounded_text(2_000) = Field("", description="What was reviewed; any condition.")


@router.post(
    "/impact-assessments/{assessment_id}/sign-off",
    auth=DECIDE,
    response=responses(200, ImpactAssessmentOut, 403, 404, 409, *BODY_ERRORS),
    summary="Sign off an impact assessment",
    description="By an Owner, AIMS Manager or top management who neither wrote it nor edited it "
    "last (403 otherwise); only a submitted assessment (409). The one signed off before is "
    "superseded.",
)
def sign_off_impact_assessment(request, assessment_id: int, payload: ImpactSignOffIn):
    services.sign_off(
        get_assessment(request, assessment_id),
        actor=request.user,
        next_reassessment=payload.next_reassessment,
        note=payload.note,
    )
    return get_assessment(request, assessment_id)


@router.post(
    "/impact-assessments/{assessment_id}/reassess",
    auth=CONTRIBUTE,
    response=responses(201, ImpactAssessmentOut, 403, 404, 409),
    summary="Reassess: copy a signed-off assessment into a new draft",
    description="The signed-off one stays in force until the new one is signed off; 409 when "
    "it is not signed off or another assessment of the system is being written.",
)
def reassess_impact_assessment(request, assessment_id: int):
    copied = services.reassess(get_assessment(request, assessment_id), actor=request.user)
    return Status(201, get_assessment(request, copied.pk))


class ImpactRaisedRiskOut(Schema):
    ref: str
    title: str
    category: str
    inherent_likelihood: int
    inherent_impact: int
    dimension: ImpactDimension


@router.post(
    "/impact-assessments/{assessment_id}/findings/{dimension}/raise-risk",
    auth=CONTRIBUTE,
    response=responses(201, ImpactRaisedRiskOut, 403, 404, 409, 422),
    summary="Raise a risk in the register from a finding",
    description="One step: a risk of the register for the system, scored from the finding's "
    "likelihood and severity on the organization's matrix, linked to the finding. Allowed at "
    "any status (a treatment action); 409 for a dimension marked not relevant or one that "
    "already raised a risk, 422 when it is not scored.",
)
def raise_risk_from_impact_finding(request, assessment_id: int, dimension: ImpactDimension):
    assessment = get_assessment(request, assessment_id)
    finding = get_object_or_404(assessment.findings.all(), dimension=dimension)
    risk = services.raise_risk(finding, actor=request.user)
    return Status(
        201,
        {
            "ref": risk.ref,
            "title": risk.title,
            "category": risk.category,
            "inherent_likelihood": risk.inherent_likelihood,
            "inherent_impact": risk.inherent_impact,
            "dimension": finding.dimension,
        },
    )
