"""AI systems: the inventory, and moving a system through its life cycle."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from aims.api.auth import CONTRIBUTE, READ
from aims.api.errors import BODY_ERRORS, GateBlockedOut, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, text_of, username_of
from aims.proposals.api import ProposalOut

from . import services
from .models import AISystem, Automation, LifecycleTransition, OrganizationRole, RiskTier, Stage


class SystemIn(InputSchema):
    name: text_of(AISystem, "name")
    slug: text_of(AISystem, "slug") = Field(
        "", description="Short id used by pipelines; made from the name when left empty."
    )
    version: text_of(AISystem, "version") = Field(
        "",
        description="The version in use or being built; a new one asks for the risks and "
        "impacts to be assessed again.",
    )
    purpose: text_of(AISystem, "purpose") = Field(
        description="What the system is for and the decisions it supports."
    )
    intended_use: text_of(AISystem, "intended_use") = ""
    foreseeable_misuse: text_of(AISystem, "foreseeable_misuse") = ""
    technique: text_of(AISystem, "technique") = ""
    organization_role: OrganizationRole = OrganizationRole.DEVELOPER
    risk_tier: RiskTier = Field(
        RiskTier.UNCLASSIFIED,
        description="EU AI Act tier. An unclassified system cannot leave planning; a prohibited "
        "one cannot move past planning; a high-risk one has more deployment requirements.",
    )
    automation: Automation = Automation.ADVISORY
    human_oversight: text_of(AISystem, "human_oversight") = ""
    affected_stakeholders: text_of(AISystem, "affected_stakeholders") = ""
    affects_individuals: bool = False
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    datasets: text_of(AISystem, "datasets") = ""
    models_used: text_of(AISystem, "models_used") = ""
    third_parties: text_of(AISystem, "third_parties") = ""


class SystemOut(Schema):
    slug: str
    name: str
    version: str
    purpose: str
    intended_use: str
    foreseeable_misuse: str
    technique: str
    organization_role: OrganizationRole
    risk_tier: RiskTier
    risk_tier_label: str
    automation: Automation
    human_oversight: str
    affected_stakeholders: str
    affects_individuals: bool
    owner: str | None
    datasets: str
    models_used: str
    third_parties: str
    stage: Stage
    stage_label: str
    basis_changed_at: dt.datetime = Field(
        description="The last material change (stage, version, intended use): assessments "
        "signed before it no longer count."
    )
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(obj.owner)

    @staticmethod
    def resolve_risk_tier_label(obj) -> str:
        return obj.get_risk_tier_display()

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return obj.get_stage_display()


class TransitionIn(InputSchema):
    to_stage: Stage
    reason: text_of(LifecycleTransition, "reason") = Field(
        description="Why the system moves; kept in the audit trail."
    )


class TransitionOut(Schema):
    system: str = Field(description="The system's slug.")
    from_stage: Stage
    to_stage: Stage
    reason: str
    actor: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return username_of(obj.actor)


class GateRequirementOut(Schema):
    code: str
    label: str
    met: bool
    detail: str


class GateOut(Schema):
    system: str
    current_stage: Stage
    stage: Stage = Field(description="The stage the gate guards.")
    allowed: bool = Field(description="Whether the system may move to that stage now.")
    can_enter: bool = Field(description="Whether every requirement of the gate is met.")
    requirements: list[GateRequirementOut]


def systems_named(org, slugs, *, field: str = "systems", errors: Errors) -> list[AISystem]:
    """The organization's AI systems named by slug, in order; each unknown one is an error."""
    return many(
        AISystem.objects.for_org(org), "slug", slugs, field=field, errors=errors, what="AI system"
    )


router = Router(tags=["AI systems"])


def systems_of(org):
    return AISystem.objects.for_org(org).select_related("owner")


def get_system(request, slug: str) -> AISystem:
    return get_object_or_404(systems_of(request.org), slug=slug)


class SystemFilters(Schema):
    stage: Stage | None = Field(None, description="Only systems in this life-cycle stage.")
    risk_tier: RiskTier | None = Field(None, description="Only systems of this EU AI Act tier.")
    q: Name | None = Field(None, description="Search in name, slug and purpose.")


@router.get(
    "/systems",
    auth=READ,
    response=responses(200, list[SystemOut], 422),
    summary="List AI systems",
    description="The organization's AI system inventory, by name.",
)
@paginate(Page)
def list_systems(request, filters: Query[SystemFilters]):
    return systems_of(request.org).filtered(
        q=filters.q or "", stage=filters.stage or "", tier=filters.risk_tier or ""
    )


def _save(request, system: AISystem, data: dict) -> AISystem:
    errors = Errors()
    if "owner" in data:
        system.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(system, data, skip={"owner"})
    clean(system, exclude=["slug"] if not system.slug else [], errors=errors)
    services.save_system(system, actor=request.user)
    return system


@router.post(
    "/systems",
    auth=CONTRIBUTE,
    response=responses(201, SystemOut, 403, 409, *BODY_ERRORS),
    summary="Register an AI system",
    description="Adds a system to the inventory in the planning stage. The `owner` is the "
    "username of a member; the `slug` is made from the name when left empty.",
)
def create_system(request, payload: SystemIn):
    system = AISystem(organization=request.org, stage=Stage.PLANNING)
    _save(request, system, payload.model_dump())
    return Status(201, system)


@router.get(
    "/systems/{slug}",
    auth=READ,
    response=responses(200, SystemOut, 404),
    summary="Read an AI system",
)
def read_system(request, slug: Name):
    return get_system(request, slug)


@router.patch(
    "/systems/{slug}",
    auth=CONTRIBUTE,
    response=responses(200, SystemOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change an AI system",
    description="Changes only the fields sent. The stage changes through a transition.",
)
def update_system(request, slug: Name, payload: PatchDict[SystemIn]):
    system = get_system(request, slug)
    return _save(request, system, payload)


@router.post(
    "/systems/{slug}/transition",
    auth=CONTRIBUTE,
    response=responses(201, TransitionOut, 403, 404, 409, *BODY_ERRORS, conflict=GateBlockedOut),
    summary="Move an AI system to another life-cycle stage",
    description="Forward one stage (when the gate's requirements are met), back to any earlier "
    "stage, or to retired. A blocked gate answers 409 with the requirements not met. Moving "
    "into deployment or operation needs decision authority (403 otherwise: propose it with "
    "`transition-proposals`).",
)
def transition_system(request, slug: Name, payload: TransitionIn):
    system = get_system(request, slug)
    transition = services.move_to_stage(
        system, to_stage=payload.to_stage, actor=request.user, reason=payload.reason
    )
    return Status(201, transition)


@router.post(
    "/systems/{slug}/transition-proposals",
    auth=CONTRIBUTE,
    response=responses(201, ProposalOut, 403, 404, 409, *BODY_ERRORS, conflict=GateBlockedOut),
    summary="Propose moving an AI system into deployment or operation",
    description="For members without decision authority: the move (its gate met now) is "
    "recorded as a proposal that an Owner, an AIMS Manager or top management approves (the "
    "move is then made) or refuses: see `/proposals`. 422 for a stage that needs no decision.",
)
def propose_system_transition(request, slug: Name, payload: TransitionIn):
    system = get_system(request, slug)
    proposal = services.propose_transition(
        system, to_stage=payload.to_stage, actor=request.user, reason=payload.reason
    )
    return Status(201, proposal)


class GateQuery(Schema):
    stage: Stage | None = Field(
        None, description="The stage to check; the next stage of the system when omitted."
    )


@router.get(
    "/systems/{slug}/gate",
    auth=READ,
    response=responses(200, GateOut, 404, 422),
    summary="Check the gate of a life-cycle stage",
    description="Each requirement for entering the stage, with whether the system meets it.",
)
def system_gate(request, slug: Name, query: Query[GateQuery]):
    system = get_system(request, slug)
    stage = query.stage or system.next_stage() or Stage(system.stage)
    results = system.gate(stage)
    return {
        "system": system.slug,
        "current_stage": system.stage,
        "stage": stage,
        "allowed": stage in services.allowed_targets(system) and all(r.met for r in results),
        "can_enter": all(r.met for r in results),
        "requirements": [
            {"code": r.requirement.code, "label": r.label, "met": r.met, "detail": r.detail}
            for r in results
        ],
    }
