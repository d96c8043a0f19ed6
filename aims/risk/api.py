"""The AI risk register: risks with their scores and levels, and acceptance decisions."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.catalog.lookups import controls_named, risk_source_named
from aims.inventory.api import get_system, systems_named
from aims.inventory.models import Stage

from . import services
from .filters import filtered
from .models import Category, Level, Risk, RiskAcceptance, RiskAssessmentSignOff, Treatment
from .models import Status as RiskStatus


class RiskIn(InputSchema):
    title: text_of(Risk, "title")
    description: text_of(Risk, "description") = ""
    systems: list[Name] = Field([], description="Slugs of the affected AI systems.")
    source: Name | None = Field(None, description="Risk source id from Annex C.3, e.g. C.3.4.")
    category: Category
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    inherent_likelihood: int = Field(description="1 to the matrix's number of likelihood levels.")
    inherent_impact: int = Field(description="1 to the matrix's number of impact levels.")
    treatment: Treatment | None = None
    controls: list[Name] = Field([], description="Annex A control ids, e.g. A.6.2.4.")
    treatment_plan: text_of(Risk, "treatment_plan") = ""
    treatment_due: dt.date | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    next_review: dt.date | None = None
    status: RiskStatus = RiskStatus.IDENTIFIED


class AcceptanceIn(InputSchema):
    rationale: text_of(RiskAcceptance, "rationale") = Field(
        description="Why the organization retains the risk."
    )
    expires_on: dt.date = Field(description="A future date, at most three years ahead.")


class AcceptanceOut(Schema):
    decided_by: str | None
    authority: str
    rationale: str
    accepted_score: int
    expires_on: dt.date
    self_accepted: bool = Field(
        description="true when the risk's owner accepted their own critical risk (no one "
        "independent of the risk decided); the authority says so too."
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return username_of(obj.decided_by)

    @staticmethod
    def resolve_self_accepted(obj) -> bool:
        return services.was_self_accepted(obj)


class RiskOut(Schema):
    ref: str
    title: str
    description: str
    category: Category
    status: RiskStatus
    systems: list[str]
    source: str | None
    owner: str | None
    inherent_likelihood: int
    inherent_impact: int
    inherent_score: int
    inherent_level: Level
    treatment: Treatment | None
    controls: list[str]
    treatment_plan: str
    treatment_due: dt.date | None
    plan_approved_by: str | None = Field(
        description="Who approved the treatment plan; null until approved, and again after the "
        "plan changes."
    )
    plan_approved_at: dt.datetime | None
    residual_likelihood: int | None
    residual_impact: int | None
    residual_score: int | None
    residual_level: Level | None
    level: Level = Field(description="Residual level once assessed, inherent before.")
    above_appetite: bool
    needs_decision: bool = Field(description="Above appetite with no current acceptance.")
    acceptances: list[AcceptanceOut]
    next_review: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_source(obj) -> str | None:
        return obj.source.ref if obj.source_id else None

    @staticmethod
    def resolve_plan_approved_by(obj) -> str | None:
        return username_of(obj.plan_approved_by)

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_treatment(obj) -> str | None:
        return obj.treatment or None

    @staticmethod
    def resolve_inherent_level(obj):
        return obj.inherent_level()

    @staticmethod
    def resolve_residual_level(obj):
        return obj.residual_level()

    @staticmethod
    def resolve_level(obj):
        return obj.level()

    @staticmethod
    def resolve_above_appetite(obj) -> bool:
        return obj.is_above_appetite()

    @staticmethod
    def resolve_needs_decision(obj) -> bool:
        return obj.needs_decision()

    @staticmethod
    def resolve_acceptances(obj):
        return list(obj.acceptances.all())


def risks_named(org, refs, *, field: str = "risks", errors: Errors) -> list[Risk]:
    """The organization's risks named by ref, in order; each unknown one is an error."""
    return many(Risk.objects.for_org(org), "ref", refs, field=field, errors=errors, what="risk")


router = Router(tags=["Risks"])


def risks_of(org):
    return (
        Risk.objects.for_org(org)
        .select_related("organization__risk_matrix", "owner", "source", "plan_approved_by")
        .prefetch_related("systems", "controls", "acceptances__decided_by")
        .with_acceptance()
    )


def get_risk(request, ref: str) -> Risk:
    return get_object_or_404(risks_of(request.org), ref=ref)


class RiskFilters(Schema):
    status: RiskStatus | None = None
    category: Category | None = None
    level: Level | None = Field(None, description="Current level: residual once assessed.")
    system: Name | None = Field(None, description="Slug of an AI system the risk affects.")
    owner: Name | None = Field(None, description="Username of the risk's owner.")
    needs_decision: bool | None = Field(
        None,
        description="true: only risks above appetite without a current acceptance; false: the "
        "others.",
    )
    overdue: bool | None = Field(None, description="true: only risks whose review is overdue.")
    inherent_cell: str | None = Field(
        None,
        max_length=5,
        pattern=r"^\d{1,2}-\d{1,2}$",
        description="A cell of the inherent heat map, likelihood-impact: `4-5`.",
    )
    residual_cell: str | None = Field(
        None,
        max_length=5,
        pattern=r"^\d{1,2}-\d{1,2}$",
        description="A cell of the residual heat map, likelihood-impact: `2-3`.",
    )
    q: Name | None = Field(None, description="Search in ref, title and description.")


def _cell(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    likelihood, impact = value.split("-")
    return int(likelihood), int(impact)


@router.get(
    "/risks",
    auth=READ,
    response=responses(200, list[RiskOut], 422),
    summary="List risks",
    description="The organization's AI risk register, by ref, with scores and levels. "
    "Filtered as the register page filters.",
)
@paginate(Page)
def list_risks(request, filters: Query[RiskFilters]):
    errors = Errors()
    owner = member(request.org, filters.owner, field="owner", errors=errors)
    errors.raise_if_any()
    chosen = filters.model_dump()
    chosen.update(
        owner=owner,
        inherent_cell=_cell(filters.inherent_cell),
        residual_cell=_cell(filters.residual_cell),
    )
    return filtered(risks_of(request.org), request.org.risk_matrix, **chosen)


def _save(request, risk: Risk, data: dict) -> Risk:
    errors = Errors()
    org = request.org
    m2m = {}
    if "owner" in data:
        risk.owner = member(org, data["owner"], field="owner", errors=errors)
    if "source" in data:
        risk.source = risk_source_named(data["source"], errors=errors)
    if "systems" in data:
        m2m["systems"] = systems_named(org, data["systems"], errors=errors)
    if "controls" in data:
        m2m["controls"] = controls_named(data["controls"], errors=errors)
    apply(risk, data, skip={"owner", "source", "systems", "controls"})
    try:  # scores in the words of the matrix ("from 1 to 5"), before the generic checks
        services.validate_scores(risk, org.risk_matrix)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
    clean(risk, exclude=["ref"] if not risk.ref else [], errors=errors)
    services.save_risk(risk, actor=request.user, **m2m)
    return get_risk(request, risk.ref)


@router.post(
    "/risks",
    auth=CONTRIBUTE,
    response=responses(201, RiskOut, 403, 409, *BODY_ERRORS),
    summary="Record a risk",
    description="Adds a risk to the register; its ref (R-001, …) is given in order. Link AI "
    "systems by slug, Annex A controls by id and the risk source by its Annex C.3 id.",
)
def create_risk(request, payload: RiskIn):
    risk = Risk(organization=request.org)
    return Status(201, _save(request, risk, payload.model_dump()))


@router.get("/risks/{ref}", auth=READ, response=responses(200, RiskOut, 404), summary="Read a risk")
def read_risk(request, ref: Name):
    return get_risk(request, ref)


@router.patch(
    "/risks/{ref}",
    auth=CONTRIBUTE,
    response=responses(200, RiskOut, 403, 404, *BODY_ERRORS),
    summary="Change a risk",
    description="Changes only the fields sent; a list sent replaces the links it names.",
)
def update_risk(request, ref: Name, payload: PatchDict[RiskIn]):
    risk = get_risk(request, ref)
    return _save(request, risk, payload)


@router.post(
    "/risks/{ref}/acceptances",
    auth=DECIDE,
    response=responses(201, AcceptanceOut, 403, 404, *BODY_ERRORS),
    summary="Accept a risk above appetite",
    description="Records a decision to retain the risk at its current score until a date. "
    "Needs authority: an Owner, an AIMS Manager or top management.",
)
def accept_risk(request, ref: Name, payload: AcceptanceIn):
    risk = get_risk(request, ref)
    acceptance = services.accept_risk(
        risk, actor=request.user, rationale=payload.rationale, expires_on=payload.expires_on
    )
    return Status(201, acceptance)


class SignOffIn(InputSchema):
    conclusion: text_of(RiskAssessmentSignOff, "conclusion") = Field(
        description="What was assessed, how, and why no risk is significant."
    )


class SignOffOut(Schema):
    system: str = Field(description="The system's slug.")
    signed_by: str | None
    authority: str
    conclusion: str
    stage_at_signing: Stage
    signed_at: dt.datetime
    current: bool = Field(
        description="Whether it counts at the deployment gate now: signed in the system's "
        "present stage, with no stage change since."
    )

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_signed_by(obj) -> str | None:
        return username_of(obj.signed_by)

    @staticmethod
    def resolve_current(obj) -> bool:
        annotated = getattr(obj, "is_current", None)  # a list answers it in its own query
        if annotated is not None:
            return annotated
        current = RiskAssessmentSignOff.objects.current_for(obj.system)
        return current is not None and current.pk == obj.pk


@router.get(
    "/systems/{slug}/risk-sign-offs",
    auth=READ,
    response=responses(200, list[SignOffOut], 404, 422),
    summary="List the signed risk assessments of an AI system",
    description="Each signed “no significant risks identified” of the system, newest first.",
)
@paginate(Page)
def list_signoffs(request, slug: Name):
    system = get_system(request, slug)
    return RiskAssessmentSignOff.objects.with_current(system).select_related("system", "signed_by")


@router.post(
    "/systems/{slug}/risk-sign-offs",
    auth=DECIDE,
    response=responses(201, SignOffOut, 403, 404, 409, *BODY_ERRORS),
    summary="Sign that an AI system's risk assessment found no significant risks",
    description="Records, with the caller's name and authority, that assessing the system's "
    "risks in its present stage found none significant. It stands in for assessed risks at the "
    "deployment gate until the system changes stage. Needs authority: an Owner, an AIMS "
    "Manager or top management (403 otherwise); a retired system answers 409; an empty "
    "conclusion 422.",
)
def sign_off(request, slug: Name, payload: SignOffIn):
    system = get_system(request, slug)
    signoff = services.sign_no_significant_risks(
        system, actor=request.user, conclusion=payload.conclusion
    )
    return Status(201, signoff)


@router.post(
    "/risks/{ref}/plan-approval",
    auth=DECIDE,
    response=responses(200, RiskOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve a risk's treatment plan",
    description="Records the approval of the treatment plan as it stands (6.1.3), in your name. "
    "Needs authority: an Owner, an AIMS Manager or top management. 422 when no option or plan "
    "is written; 409 when it is approved already. A later change to the plan clears it.",
)
def approve_plan(request, ref: Name):
    risk = get_risk(request, ref)
    services.approve_treatment_plan(risk, actor=request.user)
    return get_risk(request, ref)
