"""The AI risk register: risks with their scores and levels, and acceptance decisions."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.risk import services
from aims.risk.models import Category, Risk
from aims.risk.models import Status as RiskStatus

from . import lookups
from .auth import CONTRIBUTE, DECIDE, READ
from .errors import BODY_ERRORS, responses
from .pagination import Page
from .schemas import AcceptanceIn, AcceptanceOut, Name, RiskIn, RiskOut

router = Router(tags=["Risks"])


def risks_of(org):
    return (
        Risk.objects.for_org(org)
        .select_related("organization__risk_matrix", "owner", "source")
        .prefetch_related("systems", "controls", "acceptances__decided_by")
        .with_acceptance()
    )


def get_risk(request, ref: str) -> Risk:
    return get_object_or_404(risks_of(request.org), ref=ref)


class RiskFilters(Schema):
    status: RiskStatus | None = None
    category: Category | None = None
    system: Name | None = Field(None, description="Slug of an AI system the risk affects.")
    needs_decision: bool | None = Field(
        None, description="true: only risks above appetite without a current acceptance."
    )
    q: Name | None = Field(None, description="Search in ref, title and description.")


@router.get(
    "/risks",
    auth=READ,
    response=responses(200, list[RiskOut], 422),
    summary="List risks",
    description="The organization's AI risk register, by ref, with scores and levels.",
)
@paginate(Page)
def list_risks(request, filters: Query[RiskFilters]):
    risks = risks_of(request.org)
    if filters.status:
        risks = risks.filter(status=filters.status)
    if filters.category:
        risks = risks.filter(category=filters.category)
    if filters.system:
        risks = risks.filter(systems__slug=filters.system)
    if filters.needs_decision is not None:
        pending = Risk.objects.for_org(request.org).needs_decision(request.org.risk_matrix)
        pending = pending.values("pk")
        if filters.needs_decision:
            risks = risks.filter(pk__in=pending)
        else:
            risks = risks.exclude(pk__in=pending)
    if filters.q:
        q = filters.q.replace("\x00", "").strip()
        risks = risks.filter(
            Q(ref__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q)
        )
    return risks


def _save(request, risk: Risk, data: dict) -> Risk:
    errors = lookups.Errors()
    org = request.org
    m2m = {}
    if "owner" in data:
        risk.owner = lookups.member(org, data["owner"], field="owner", errors=errors)
    if "source" in data:
        risk.source = lookups.risk_source(data["source"], errors=errors)
    if "systems" in data:
        m2m["systems"] = lookups.systems(org, data["systems"], errors=errors)
    if "controls" in data:
        m2m["controls"] = lookups.controls(data["controls"], errors=errors)
    lookups.apply(risk, data, skip={"owner", "source", "systems", "controls"})
    try:  # scores in the words of the matrix ("from 1 to 5"), before the generic checks
        services.validate_scores(risk, org.risk_matrix)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add(field, message)
    lookups.clean(risk, exclude=["ref"] if not risk.ref else [], errors=errors)
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
