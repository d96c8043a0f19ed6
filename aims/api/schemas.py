"""Typed input and output of the API. Field names follow the models, so errors name them alike.

Related records are named the way people name them: users by username, AI systems by slug,
risks by ref (``R-001``), Annex A controls by id (``A.6.2.4``), clauses by number (``6.1.2``),
risk sources by id (``C.3.4``).
"""

import datetime as dt
from typing import Annotated, Any

from django.db.models import TextChoices
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from aims.checks.models import Kind as _CheckKind
from aims.core.forms import NAME_MAX_LENGTH
from aims.evidence.models import Evidence
from aims.evidence.models import Integrity as _EvidenceIntegrity
from aims.evidence.models import Kind as _EvidenceKind
from aims.inventory.models import (
    AISystem,
    Automation,
    LifecycleTransition,
    OrganizationRole,
    RiskTier,
    Stage,
)
from aims.organizations.models import Role
from aims.risk.models import Category, Level, Risk, RiskAcceptance, Status, Treatment
from aims.soa.models import Applicability, Implementation, SoAEntry


def api_choices(name: str, choices: type[TextChoices]) -> type[TextChoices]:
    """A model's choices under a name of their own in the OpenAPI document.

    Components are named after the Python class, so two model enums both called ``Kind``
    would share ``#/components/schemas/Kind`` and one would silently replace the other.
    """
    return TextChoices(name, [(member.name, (member.value, member.label)) for member in choices])


EvidenceKind = api_choices("EvidenceKind", _EvidenceKind)
EvidenceIntegrity = api_choices("EvidenceIntegrity", _EvidenceIntegrity)
CheckKind = api_choices("CheckKind", _CheckKind)

NULL_CHARACTER = "Remove the null character; it cannot be stored."


def _refuse_null(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("null_character", NULL_CHARACTER)
    return value


def _refuse_null_inside(value: Any) -> Any:
    """The same for every key and text inside a JSON value (statistics, reports)."""
    if isinstance(value, str):
        _refuse_null(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_null_inside(key)
            _refuse_null_inside(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_null_inside(item)
    return value


def bounded_text(max_length: int) -> Any:
    """Text of at most ``max_length`` characters with no null character."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_refuse_null)]


def text_of(model, field_name: str) -> Any:
    """The API type of a model's text field: as long as its column allows, no null character."""
    max_length = model._meta.get_field(field_name).max_length
    if not max_length:
        raise ValueError(f"{model.__name__}.{field_name} has no maximum length")
    return bounded_text(max_length)


# Identifiers people send (usernames, slugs, refs, column names) and search words.
Name = bounded_text(NAME_MAX_LENGTH)
JsonObject = Annotated[dict[str, Any], AfterValidator(_refuse_null_inside)]


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
    name: text_of(AISystem, "name")
    slug: text_of(AISystem, "slug") = Field(
        "", description="Short id used by pipelines; made from the name when left empty."
    )
    purpose: text_of(AISystem, "purpose") = Field(
        description="What the system is for and the decisions it supports."
    )
    intended_use: text_of(AISystem, "intended_use") = ""
    foreseeable_misuse: text_of(AISystem, "foreseeable_misuse") = ""
    technique: text_of(AISystem, "technique") = ""
    organization_role: OrganizationRole = OrganizationRole.DEVELOPER
    risk_tier: RiskTier = RiskTier.MINIMAL
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
    status: Status = Status.IDENTIFIED


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
    justification: text_of(SoAEntry, "justification") = ""
    status: Implementation
    owner: Name | None = Field(None, description="Username of a member of the organization.")
    implementation: text_of(SoAEntry, "implementation") = ""
    risks: list[Name] = Field([], description="Refs of the risks the control treats.")


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
    soa_entries: list[Name] = Field([], description="Annex A control ids of SoA entries.")
    clauses: list[Name] = Field([], description="Clause numbers, e.g. 6.1.2.")
    risks: list[Name] = Field([], description="Risk refs, e.g. R-001.")
    systems: list[Name] = Field([], description="AI system slugs.")


class EvidenceCreateForm(EvidenceLinks):
    title: text_of(Evidence, "title")
    description: text_of(Evidence, "description") = ""
    kind: EvidenceKind = Field(
        EvidenceKind.FILE, description="`file`: upload files; `link`: give a url."
    )
    url: text_of(Evidence, "url") = Field(
        "", description="The address of the evidence, for kind=link."
    )
    effective_from: dt.date = Field(description="The date the evidence speaks for.")
    valid_until: dt.date | None = Field(None, description="Empty if it does not expire.")


class EvidenceIn(EvidenceLinks):
    """Metadata and links; files change by new revisions, not here."""

    title: text_of(Evidence, "title")
    description: text_of(Evidence, "description") = ""
    url: text_of(Evidence, "url") = ""
    effective_from: dt.date
    valid_until: dt.date | None = None


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    integrity: EvidenceIntegrity = Field(
        description="What the last re-hash of the stored file found: `altered` or `missing` "
        "means it no longer matches its SHA-256 and cannot be relied on."
    )
    checked_at: dt.datetime | None = Field(
        description="When the stored file was last re-hashed; null if never."
    )

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name

    @staticmethod
    def resolve_size(obj) -> int:
        return obj.blob.size

    @staticmethod
    def resolve_sha256(obj) -> str:
        return obj.blob_id

    @staticmethod
    def resolve_integrity(obj) -> str:
        return obj.blob.integrity

    @staticmethod
    def resolve_checked_at(obj) -> dt.datetime | None:
        return obj.blob.checked_at


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
    kind: EvidenceKind
    url: str
    effective_from: dt.date
    valid_until: dt.date | None
    is_expired: bool
    integrity: EvidenceIntegrity = Field(
        description="The worst state the last re-hash found among the stored files of all "
        "revisions: `altered` or `missing` flags evidence that cannot be relied on; "
        "`unchecked` until first re-hashed; a link stores no file and is `intact`."
    )
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
    def resolve_integrity(obj) -> str:
        return obj.integrity()

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
