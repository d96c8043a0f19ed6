"""Typed input and output of the API. Field names follow the models, so errors name them alike.

Related records are named the way people name them: users by username, AI systems by slug,
risks by ref (``R-001``), Annex A controls by id (``A.6.2.4``), clauses by number (``6.1.2``),
risk sources by id (``C.3.4``).
"""

import datetime as dt

from ninja import Field, Schema
from pydantic import ConfigDict

from aims.evidence.models import Kind
from aims.inventory.models import Automation, OrganizationRole, RiskTier, Stage
from aims.organizations.models import Role
from aims.risk.models import Category, Level, Status, Treatment
from aims.soa.models import Applicability, Implementation


class InputSchema(Schema):
    """Input: a field the operation does not know is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


# --- me ---------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    slug: str
    name: str


class UserOut(Schema):
    username: str
    full_name: str
    email: str

    @staticmethod
    def resolve_full_name(obj) -> str:
        return obj.get_full_name()


class MeOut(Schema):
    user: UserOut
    organization: OrganizationOut
    role: Role
    role_label: str
    is_top_management: bool
    token_name: str
    can: list[str] = Field(description="The access levels this token has: read, contribute, …")


# --- AI systems -------------------------------------------------------------------------------


class SystemIn(InputSchema):
    name: str = Field(max_length=200)
    slug: str = Field(
        "",
        max_length=80,
        description="Short id used by pipelines; made from the name when left empty.",
    )
    purpose: str = Field(description="What the system is for and the decisions it supports.")
    intended_use: str = ""
    foreseeable_misuse: str = ""
    technique: str = ""
    organization_role: OrganizationRole = OrganizationRole.DEVELOPER
    risk_tier: RiskTier = RiskTier.MINIMAL
    automation: Automation = Automation.ADVISORY
    human_oversight: str = ""
    affected_stakeholders: str = ""
    affects_individuals: bool = False
    owner: str | None = Field(None, description="Username of a member of the organization.")
    datasets: str = ""
    models_used: str = ""
    third_parties: str = ""


class SystemOut(Schema):
    slug: str
    name: str
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
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return _username(obj.owner)

    @staticmethod
    def resolve_risk_tier_label(obj) -> str:
        return obj.get_risk_tier_display()

    @staticmethod
    def resolve_stage_label(obj) -> str:
        return obj.get_stage_display()


class TransitionIn(InputSchema):
    to_stage: Stage
    reason: str = Field(description="Why the system moves; kept in the audit trail.")


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
        return _username(obj.actor)


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


# --- risks ------------------------------------------------------------------------------------


class RiskIn(InputSchema):
    title: str = Field(max_length=200)
    description: str = ""
    systems: list[str] = Field([], description="Slugs of the affected AI systems.")
    source: str | None = Field(None, description="Risk source id from Annex C.3, e.g. C.3.4.")
    category: Category
    owner: str | None = Field(None, description="Username of a member of the organization.")
    inherent_likelihood: int = Field(description="1 to the matrix's number of likelihood levels.")
    inherent_impact: int = Field(description="1 to the matrix's number of impact levels.")
    treatment: Treatment | None = None
    controls: list[str] = Field([], description="Annex A control ids, e.g. A.6.2.4.")
    treatment_plan: str = ""
    treatment_due: dt.date | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    next_review: dt.date | None = None
    status: Status = Status.IDENTIFIED


class AcceptanceIn(InputSchema):
    rationale: str = Field(description="Why the organization retains the risk.")
    expires_on: dt.date = Field(description="A future date, at most three years ahead.")


class AcceptanceOut(Schema):
    decided_by: str | None
    authority: str
    rationale: str
    accepted_score: int
    expires_on: dt.date
    created_at: dt.datetime

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return _username(obj.decided_by)


class RiskOut(Schema):
    ref: str
    title: str
    description: str
    category: Category
    status: Status
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
    def resolve_owner(obj) -> str | None:
        return _username(obj.owner)

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


# --- Statement of Applicability ---------------------------------------------------------------


class SoAEntryIn(InputSchema):
    applicability: Applicability
    justification: str = ""
    status: Implementation
    owner: str | None = Field(None, description="Username of a member of the organization.")
    implementation: str = ""
    risks: list[str] = Field([], description="Refs of the risks the control treats.")


class SoAEntryOut(Schema):
    control: str = Field(description="Annex A control id, e.g. A.6.2.4.")
    title: str
    objective: str = Field(description="Control objective id, e.g. A.6.")
    applicability: Applicability
    justification: str
    status: Implementation
    owner: str | None
    implementation: str
    risks: list[str]
    has_current_evidence: bool
    flags: list[str] = Field(description="What an auditor would query; empty when nothing is.")
    updated_at: dt.datetime

    @staticmethod
    def resolve_control(obj) -> str:
        return obj.control.ref

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.control.title

    @staticmethod
    def resolve_objective(obj) -> str:
        return obj.control.objective.ref

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return _username(obj.owner)

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_has_current_evidence(obj) -> bool:
        value = getattr(obj, "has_current_evidence", None)
        return bool(value) if value is not None else obj.evidence.current().exists()

    @staticmethod
    def resolve_flags(obj) -> list[str]:
        return obj.flags()


# --- evidence ---------------------------------------------------------------------------------


class EvidenceLinks(InputSchema):
    soa_entries: list[str] = Field([], description="Annex A control ids of SoA entries.")
    clauses: list[str] = Field([], description="Clause numbers, e.g. 6.1.2.")
    risks: list[str] = Field([], description="Risk refs, e.g. R-001.")
    systems: list[str] = Field([], description="AI system slugs.")


class EvidenceCreateForm(EvidenceLinks):
    title: str = Field(max_length=200)
    description: str = ""
    kind: Kind = Field(Kind.FILE, description="`file`: upload files; `link`: give a url.")
    url: str = Field("", description="The address of the evidence, for kind=link.")
    effective_from: dt.date = Field(description="The date the evidence speaks for.")
    valid_until: dt.date | None = Field(None, description="Empty if it does not expire.")


class EvidenceIn(EvidenceLinks):
    """Metadata and links; files change by new revisions, not here."""

    title: str = Field(max_length=200)
    description: str = ""
    url: str = ""
    effective_from: dt.date
    valid_until: dt.date | None = None


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_size(obj) -> int:
        return obj.blob.size

    @staticmethod
    def resolve_sha256(obj) -> str:
        return obj.blob_id


class RevisionOut(Schema):
    number: int
    note: str
    effective_from: dt.date
    created_by: str | None
    created_at: dt.datetime
    files: list[FileOut]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return _username(obj.created_by)

    @staticmethod
    def resolve_files(obj):
        return list(obj.files.all())


class EvidenceOut(Schema):
    id: int
    title: str
    description: str
    kind: Kind
    url: str
    effective_from: dt.date
    valid_until: dt.date | None
    is_expired: bool
    soa_entries: list[str]
    clauses: list[str]
    risks: list[str]
    systems: list[str]
    created_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    revisions: list[RevisionOut] = Field(description="Newest first, each with its files.")

    @staticmethod
    def resolve_is_expired(obj) -> bool:
        return obj.is_expired()

    @staticmethod
    def resolve_soa_entries(obj) -> list[str]:
        return [e.control.ref for e in obj.soa_entries.all()]

    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return _username(obj.created_by)

    @staticmethod
    def resolve_revisions(obj):
        return list(obj.revisions.all())
