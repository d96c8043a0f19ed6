"""The context of the organization: issues (4.1), interested parties (4.2), scope versions and
the roles per AI system (4.3), and the obligations register (A.8.5)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, PatchDict, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictInt

from aims.api.auth import CONTRIBUTE, DECIDE, READ
from aims.api.errors import BODY_ERRORS, responses
from aims.api.lookups import Errors, apply, clean, many, member
from aims.api.pagination import Page
from aims.api.schemas import InputSchema, Name, api_choices, text_of, username_of
from aims.catalog.lookups import clauses_named, controls_named
from aims.core.areas import names_record
from aims.core.errors import Refused
from aims.inventory.api import systems_named
from aims.inventory.models import AISystem
from aims.risk.models import Category as RiskCategory
from aims.risk.models import Risk

from . import catalogue, services
from .models import Addressed as _Addressed
from .models import AIRole as _AIRole
from .models import Compliance as _Compliance
from .models import InterestedParty, Issue, Obligation, ScopeVersion, SystemRole
from .models import IssueCategory as _IssueCategory
from .models import IssueStatus as _IssueStatus
from .models import ObligationKind as _ObligationKind
from .models import OperatorRole as _OperatorRole
from .models import PartyKind as _PartyKind
from .models import Raises as _Raises
from .models import ScopeStatus as _ScopeStatus
from .models import Side as _Side

ContextSide = api_choices("ContextSide", _Side)
IssueCategory = api_choices("IssueCategory", _IssueCategory)
IssueRaises = api_choices("IssueRaises", _Raises)
IssueStatus = api_choices("IssueStatus", _IssueStatus)
PartyKind = api_choices("PartyKind", _PartyKind)
PartyAddressed = api_choices("PartyAddressed", _Addressed)
ScopeStatus = api_choices("ScopeStatus", _ScopeStatus)
AIRole22989 = api_choices("AIRole22989", _AIRole)
EUOperatorRole = api_choices("EUOperatorRole", _OperatorRole)
ObligationKind = api_choices("ObligationKind", _ObligationKind)
ObligationCompliance = api_choices("ObligationCompliance", _Compliance)
RiskCategoryIn = api_choices("RaisedRiskCategory", RiskCategory)

router = Router(tags=["Context of the organization"])


def clauses_field():
    """A fresh field each time: pydantic must not share one FieldInfo between schemas."""
    return Field(
        None,
        description="Clause numbers this record addresses, e.g. 4.1. Left out on creation: "
        "the record kind's default.",
    )


def controls_field():
    return Field(None, description="Annex A control ids this record addresses, e.g. A.8.5.")


def owner_field():
    return Field(None, description="Username of a member of the organization.")


class Requirements(Schema):
    @staticmethod
    def resolve_clauses(obj) -> list[str]:
        return [c.ref for c in obj.clauses.all()]

    @staticmethod
    def resolve_controls(obj) -> list[str]:
        return [c.ref for c in obj.controls.all()]

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return username_of(getattr(obj, "owner", None))


def _requirements(data: dict, errors: Errors) -> dict:
    found = {}
    if data.get("clauses") is not None:
        found["clauses"] = clauses_named(data["clauses"], errors=errors)
    if data.get("controls") is not None:
        found["controls"] = controls_named(data["controls"], errors=errors)
    return found


def _exists(model):
    """Whether a path parameter names a record of the organization (for ``api_path_records``)."""

    def exists(org, value) -> bool:
        return names_record(model.objects.filter(organization=org), value)

    return exists


PATH_RECORDS = {
    "issue_id": _exists(Issue),
    "party_id": _exists(InterestedParty),
    "obligation_id": _exists(Obligation),
    "scope_version_id": _exists(ScopeVersion),
    "system_role_id": _exists(SystemRole),
}


# --- Issues ----------------------------------------------------------------------------------


class IssueIn(InputSchema):
    title: text_of(Issue, "title")
    description: text_of(Issue, "description") = ""
    side: ContextSide = Field(description="internal or external.")
    category: IssueCategory = Field(
        description="A PESTLE heading (political … environmental) or a SWOT one (strength … "
        "threat)."
    )
    effect: text_of(Issue, "effect") = Field("", description="The effect on the AIMS.")
    raises: IssueRaises = IssueRaises.RISK
    owner: Name | None = owner_field()
    review_date: dt.date | None = Field(None, description="Today or later when set or changed.")
    status: IssueStatus = IssueStatus.OPEN
    risks: list[Name] | None = Field(None, description="Refs of linked risks, e.g. R-001.")
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class IssueOut(Requirements):
    id: int
    ref: str
    title: str
    description: str
    side: ContextSide
    category: IssueCategory
    effect: str
    raises: IssueRaises
    owner: str | None
    review_date: dt.date | None
    status: IssueStatus
    risks: list[str]
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_risks(obj) -> list[str]:
        return [r.ref for r in obj.risks.all()]


class IssueFilters(Schema):
    q: Name | None = Field(None, description="Search in id, title, description and effect.")
    side: ContextSide | None = None
    category: IssueCategory | None = None
    raises: IssueRaises | None = None
    status: IssueStatus | None = None
    owner: Name | None = Field(None, description="Username of the issue's owner.")
    overdue: bool | None = Field(None, description="true: only open issues past review.")


def issues_of(org):
    return (
        Issue.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("risks", "clauses", "controls")
    )


def get_issue(request, issue_id: int) -> Issue:
    return get_object_or_404(issues_of(request.org), pk=issue_id)


def _filters(request, filters: Schema) -> dict:
    chosen = {k: v for k, v in filters.model_dump().items() if v not in (None, "")}
    if "owner" in chosen:
        errors = Errors()
        chosen["owner"] = member(request.org, chosen["owner"], field="owner", errors=errors)
        errors.raise_if_any()
    return chosen


@router.get(
    "/context/issues",
    auth=READ,
    response=responses(200, list[IssueOut], 422),
    summary="List context issues",
    description="Internal and external issues (4.1), by id, filtered as the page filters.",
)
@paginate(Page)
def list_issues(request, filters: Query[IssueFilters]):
    return issues_of(request.org).filtered(**_filters(request, filters))


def _save_issue(request, issue: Issue, data: dict) -> Issue:
    errors = Errors()
    extra = _requirements(data, errors)
    if "owner" in data:
        issue.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if data.get("risks") is not None:
        extra["risks"] = many(
            Risk.objects.for_org(request.org),
            "ref",
            data["risks"],
            field="risks",
            errors=errors,
            what="risk",
        )
    apply(issue, data, skip={"owner", "risks", "clauses", "controls"})
    clean(issue, exclude=["ref"] if not issue.ref else [], errors=errors)
    services.save_issue(issue, actor=request.user, **extra)
    return get_issue(request, issue.pk)


@router.post(
    "/context/issues",
    auth=CONTRIBUTE,
    response=responses(201, IssueOut, 403, *BODY_ERRORS),
    summary="Record a context issue",
    description="Its id (ISS-001, …) is given in order; without clauses or controls it "
    "addresses clause 4.1.",
)
def create_issue(request, payload: IssueIn):
    issue = Issue(organization=request.org)
    return Status(201, _save_issue(request, issue, payload.model_dump()))


@router.get(
    "/context/issues/{issue_id}",
    auth=READ,
    response=responses(200, IssueOut, 404),
    summary="Read a context issue",
)
def read_issue(request, issue_id: int):
    return get_issue(request, issue_id)


@router.patch(
    "/context/issues/{issue_id}",
    auth=CONTRIBUTE,
    response=responses(200, IssueOut, 403, 404, *BODY_ERRORS),
    summary="Change a context issue",
    description="Changes only the fields sent; a list sent replaces the links it names.",
)
def update_issue(request, issue_id: int, payload: PatchDict[IssueIn]):
    return _save_issue(request, get_issue(request, issue_id), payload)


class RaiseRiskIn(InputSchema):
    inherent_likelihood: StrictInt = Field(
        description="1 to the matrix's number of likelihood levels."
    )
    inherent_impact: StrictInt = Field(description="1 to the matrix's number of impact levels.")
    category: RiskCategoryIn | None = Field(
        None, description="The risk register's category; by default one that fits the issue."
    )


class RaisedRiskOut(Schema):
    ref: str
    title: str
    description: str
    issue: int = Field(description="The id of the issue it was raised from.")


@router.post(
    "/context/issues/{issue_id}/risks",
    auth=CONTRIBUTE,
    response=responses(201, RaisedRiskOut, 403, 404, 409, *BODY_ERRORS),
    summary="Raise a risk from a context issue",
    description="Adds a risk to the register from the issue (title, description, effect), "
    "scored on the organization's matrix, and links the two in one step. 409 when the issue "
    "is closed.",
)
def raise_risk(request, issue_id: int, payload: RaiseRiskIn):
    issue = get_issue(request, issue_id)
    risk = services.raise_risk(
        issue,
        actor=request.user,
        likelihood=payload.inherent_likelihood,
        impact=payload.inherent_impact,
        category=payload.category,
    )
    return Status(
        201,
        {"ref": risk.ref, "title": risk.title, "description": risk.description, "issue": issue.pk},
    )


# --- Interested parties ----------------------------------------------------------------------


class PartyIn(InputSchema):
    name: text_of(InterestedParty, "name")
    side: ContextSide = ContextSide.EXTERNAL
    kind: PartyKind
    needs: text_of(InterestedParty, "needs") = ""
    requirements: text_of(InterestedParty, "requirements") = ""
    addressed: PartyAddressed = PartyAddressed.NOT_ADDRESSED
    how_addressed: text_of(InterestedParty, "how_addressed") = ""
    owner: Name | None = owner_field()
    review_date: dt.date | None = None
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class PartyOut(Requirements):
    id: int
    name: str
    side: ContextSide
    kind: PartyKind
    needs: str
    requirements: str
    addressed: PartyAddressed
    how_addressed: str
    owner: str | None
    review_date: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class PartyFilters(Schema):
    q: Name | None = Field(None, description="Search in name, needs and requirements.")
    side: ContextSide | None = None
    kind: PartyKind | None = None
    addressed: PartyAddressed | None = None
    owner: Name | None = None
    overdue: bool | None = None


def parties_of(org):
    return (
        InterestedParty.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("clauses", "controls")
    )


def get_party(request, party_id: int) -> InterestedParty:
    return get_object_or_404(parties_of(request.org), pk=party_id)


@router.get(
    "/context/parties",
    auth=READ,
    response=responses(200, list[PartyOut], 422),
    summary="List interested parties",
)
@paginate(Page)
def list_parties(request, filters: Query[PartyFilters]):
    return parties_of(request.org).filtered(**_filters(request, filters))


def _save_party(request, party: InterestedParty, data: dict) -> InterestedParty:
    errors = Errors()
    extra = _requirements(data, errors)
    if "owner" in data:
        party.owner = member(request.org, data["owner"], field="owner", errors=errors)
    apply(party, data, skip={"owner", "clauses", "controls"})
    clean(party, errors=errors)
    services.save_party(party, actor=request.user, **extra)
    return get_party(request, party.pk)


@router.post(
    "/context/parties",
    auth=CONTRIBUTE,
    response=responses(201, PartyOut, 403, *BODY_ERRORS),
    summary="Record an interested party",
    description="Without clauses or controls it addresses clause 4.2.",
)
def create_party(request, payload: PartyIn):
    party = InterestedParty(organization=request.org)
    return Status(201, _save_party(request, party, payload.model_dump()))


@router.get(
    "/context/parties/{party_id}",
    auth=READ,
    response=responses(200, PartyOut, 404),
    summary="Read an interested party",
)
def read_party(request, party_id: int):
    return get_party(request, party_id)


@router.patch(
    "/context/parties/{party_id}",
    auth=CONTRIBUTE,
    response=responses(200, PartyOut, 403, 404, *BODY_ERRORS),
    summary="Change an interested party",
)
def update_party(request, party_id: int, payload: PatchDict[PartyIn]):
    return _save_party(request, get_party(request, party_id), payload)


# --- Obligations -----------------------------------------------------------------------------


class ObligationIn(InputSchema):
    kind: ObligationKind
    title: text_of(Obligation, "title")
    reference: text_of(Obligation, "reference") = ""
    description: text_of(Obligation, "description") = ""
    systems: list[Name] | None = Field(None, description="Slugs of the AI systems it applies to.")
    owner: Name | None = owner_field()
    how_shown: text_of(Obligation, "how_shown") = ""
    compliance: ObligationCompliance = ObligationCompliance.NOT_ASSESSED
    review_date: dt.date | None = None
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class ObligationOut(Requirements):
    id: int
    kind: ObligationKind
    title: str
    reference: str
    description: str
    systems: list[str]
    owner: str | None
    how_shown: str
    compliance: ObligationCompliance
    review_date: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]


class ObligationFilters(Schema):
    q: Name | None = Field(None, description="Search in title, reference and description.")
    kind: ObligationKind | None = None
    compliance: ObligationCompliance | None = None
    system: Name | None = Field(None, description="Slug of an AI system it applies to.")
    owner: Name | None = None
    overdue: bool | None = None


def obligations_of(org):
    return (
        Obligation.objects.for_org(org)
        .select_related("owner")
        .prefetch_related("systems", "clauses", "controls")
    )


def get_obligation(request, obligation_id: int) -> Obligation:
    return get_object_or_404(obligations_of(request.org), pk=obligation_id)


@router.get(
    "/context/obligations",
    auth=READ,
    response=responses(200, list[ObligationOut], 422),
    summary="List obligations",
)
@paginate(Page)
def list_obligations(request, filters: Query[ObligationFilters]):
    return obligations_of(request.org).filtered(**_filters(request, filters))


def _save_obligation(request, obligation: Obligation, data: dict) -> Obligation:
    errors = Errors()
    extra = _requirements(data, errors)
    if "owner" in data:
        obligation.owner = member(request.org, data["owner"], field="owner", errors=errors)
    if data.get("systems") is not None:
        extra["systems"] = systems_named(request.org, data["systems"], errors=errors)
    apply(obligation, data, skip={"owner", "systems", "clauses", "controls"})
    clean(obligation, errors=errors)
    services.save_obligation(obligation, actor=request.user, **extra)
    return get_obligation(request, obligation.pk)


@router.post(
    "/context/obligations",
    auth=CONTRIBUTE,
    response=responses(201, ObligationOut, 403, *BODY_ERRORS),
    summary="Record an obligation",
    description="Without clauses or controls it addresses control A.8.5.",
)
def create_obligation(request, payload: ObligationIn):
    obligation = Obligation(organization=request.org)
    return Status(201, _save_obligation(request, obligation, payload.model_dump()))


class SuggestionOut(Schema):
    key: str
    reference: str
    title: str
    kind: ObligationKind
    group: str
    in_register: bool


@router.get(
    "/context/obligations/catalogue",
    auth=READ,
    response=responses(200, list[SuggestionOut]),
    summary="List the obligations that can be added in one step",
    description="The EU AI Act articles of the shipped reference list and a few other common "
    "obligations (GDPR Art. 22, Art. 35, …), each saying whether the register holds it.",
)
def list_catalogue(request):
    present = services.in_register(request.org)
    return [
        {
            "key": s.key,
            "reference": s.reference,
            "title": s.title,
            "kind": s.kind,
            "group": s.group,
            "in_register": s.reference.lower() in present,
        }
        for s in catalogue.suggestions()
    ]


class CatalogueIn(InputSchema):
    keys: list[Name] = Field(description="Keys from the catalogue, e.g. eu-ai-act-art-9.")
    systems: list[Name] = Field([], description="Slugs of AI systems every one applies to.")


class CatalogueOut(Schema):
    created: list[ObligationOut]
    skipped: list[str] = Field(description="References already in the register.")


@router.post(
    "/context/obligations/catalogue",
    auth=CONTRIBUTE,
    response=responses(201, CatalogueOut, 403, *BODY_ERRORS),
    summary="Add obligations from the catalogue",
    description="Creates one obligation per key, all or none; those already in the register "
    "(same reference) are skipped.",
)
def add_from_catalogue(request, payload: CatalogueIn):
    errors = Errors()
    systems = systems_named(request.org, payload.systems, errors=errors)
    errors.raise_if_any()
    try:
        created, skipped = services.add_catalogue_obligations(
            request.org, actor=request.user, keys=payload.keys, systems=systems
        )
    except ValidationError as exc:  # the service names the form's field, articles
        if isinstance(exc, Refused) or not hasattr(exc, "error_dict"):
            raise
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.add("keys" if field == "articles" else field, message)
        errors.raise_if_any()
    found = obligations_of(request.org).filter(pk__in=[o.pk for o in created])
    return Status(201, {"created": list(found), "skipped": skipped})


@router.get(
    "/context/obligations/{obligation_id}",
    auth=READ,
    response=responses(200, ObligationOut, 404),
    summary="Read an obligation",
)
def read_obligation(request, obligation_id: int):
    return get_obligation(request, obligation_id)


@router.patch(
    "/context/obligations/{obligation_id}",
    auth=CONTRIBUTE,
    response=responses(200, ObligationOut, 403, 404, *BODY_ERRORS),
    summary="Change an obligation",
)
def update_obligation(request, obligation_id: int, payload: PatchDict[ObligationIn]):
    return _save_obligation(request, get_obligation(request, obligation_id), payload)


# --- Scope versions --------------------------------------------------------------------------


class ScopeIn(InputSchema):
    statement: text_of(ScopeVersion, "statement") = ""
    systems: list[Name] | None = Field(None, description="Slugs of the AI systems in scope.")
    units: text_of(ScopeVersion, "units") = ""
    sites: text_of(ScopeVersion, "sites") = ""
    activities: text_of(ScopeVersion, "activities") = ""
    exclusions: text_of(ScopeVersion, "exclusions") = ""
    interfaces: text_of(ScopeVersion, "interfaces") = ""
    change_note: text_of(ScopeVersion, "change_note") = ""
    clauses: list[Name] | None = clauses_field()
    controls: list[Name] | None = controls_field()


class ScopeOut(Requirements):
    id: int
    number: int
    status: ScopeStatus
    statement: str
    systems: list[str]
    units: str
    sites: str
    activities: str
    exclusions: str
    interfaces: str
    change_note: str
    author: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    next_review: dt.date | None
    clauses: list[str]
    controls: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_systems(obj) -> list[str]:
        return [s.slug for s in obj.systems.all()]

    @staticmethod
    def resolve_author(obj) -> str | None:
        return username_of(obj.author)

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return username_of(obj.approved_by)


class ScopeFilters(Schema):
    q: Name | None = Field(None, description="Search in the scope's text.")
    status: ScopeStatus | None = None
    system: Name | None = Field(None, description="Slug of an AI system in scope.")


def versions_of(org):
    return (
        ScopeVersion.objects.for_org(org)
        .select_related("author", "approved_by")
        .prefetch_related("systems", "clauses", "controls")
    )


def get_version(request, scope_version_id: int) -> ScopeVersion:
    return get_object_or_404(versions_of(request.org), pk=scope_version_id)


@router.get(
    "/context/scope-versions",
    auth=READ,
    response=responses(200, list[ScopeOut], 422),
    summary="List the versions of the scope",
    description="Newest first; the approved one is the scope in force.",
)
@paginate(Page)
def list_scope_versions(request, filters: Query[ScopeFilters]):
    return versions_of(request.org).filtered(**_filters(request, filters))


def _save_version(request, version: ScopeVersion, data: dict) -> ScopeVersion:
    errors = Errors()
    extra = _requirements(data, errors)
    if data.get("systems") is not None:
        extra["systems"] = systems_named(request.org, data["systems"], errors=errors)
    apply(version, data, skip={"systems", "clauses", "controls"})
    clean(version, exclude=["number", "author", "last_edited_by"], errors=errors)
    services.save_scope_draft(version, actor=request.user, **extra)
    return get_version(request, version.pk)


@router.post(
    "/context/scope-versions",
    auth=CONTRIBUTE,
    response=responses(201, ScopeOut, 403, 409, *BODY_ERRORS),
    summary="Start a new draft of the scope",
    description="409 when a draft exists already: change it instead.",
)
def create_scope_version(request, payload: ScopeIn):
    version = ScopeVersion(organization=request.org)
    return Status(201, _save_version(request, version, payload.model_dump()))


@router.get(
    "/context/scope-versions/{scope_version_id}",
    auth=READ,
    response=responses(200, ScopeOut, 404),
    summary="Read a version of the scope",
)
def read_scope_version(request, scope_version_id: int):
    return get_version(request, scope_version_id)


@router.patch(
    "/context/scope-versions/{scope_version_id}",
    auth=CONTRIBUTE,
    response=responses(200, ScopeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Change the draft of the scope",
    description="Only a draft changes: an approved or superseded version answers 409.",
)
def update_scope_version(request, scope_version_id: int, payload: PatchDict[ScopeIn]):
    return _save_version(request, get_version(request, scope_version_id), payload)


@router.post(
    "/context/scope-versions/{scope_version_id}/approve",
    auth=DECIDE,
    response=responses(200, ScopeOut, 403, 404, 409, *BODY_ERRORS),
    summary="Approve the draft of the scope",
    description="Needs authority (an Owner, an AIMS Manager or top management) and someone "
    "other than the draft's author (409 otherwise, and for a version that is not a draft). The "
    "version approved before becomes superseded.",
)
def approve_scope_version(request, scope_version_id: int):
    version = get_version(request, scope_version_id)
    services.approve_scope(version, actor=request.user)
    return get_version(request, scope_version_id)


# --- Roles per AI system ---------------------------------------------------------------------


class SystemRoleChange(InputSchema):
    iso_roles: list[Name] = Field(
        description="Roles in ISO/IEC 22989 terms: " + ", ".join(_AIRole.values) + "."
    )
    eu_roles: list[Name] = Field(
        [],
        description="Operator roles under the EU AI Act: " + ", ".join(_OperatorRole.values) + ".",
    )
    note: text_of(SystemRole, "note") = ""


class SystemRoleIn(SystemRoleChange):
    system: Name = Field(description="Slug of the AI system.")


class SystemRoleOut(Schema):
    id: int
    system: str
    iso_roles: list[AIRole22989]
    eu_roles: list[EUOperatorRole]
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_system(obj) -> str:
        return obj.system.slug


class SystemRoleFilters(Schema):
    q: Name | None = Field(None, description="Search in the system's name and the note.")
    system: Name | None = Field(None, description="Slug of an AI system.")
    iso_role: AIRole22989 | None = None
    eu_role: EUOperatorRole | None = None


def roles_of(org):
    return SystemRole.objects.for_org(org).select_related("system")


def get_role(request, system_role_id: int) -> SystemRole:
    return get_object_or_404(roles_of(request.org), pk=system_role_id)


@router.get(
    "/context/system-roles",
    auth=READ,
    response=responses(200, list[SystemRoleOut], 422),
    summary="List the organization's roles per AI system",
)
@paginate(Page)
def list_system_roles(request, filters: Query[SystemRoleFilters]):
    return roles_of(request.org).filtered(**_filters(request, filters))


def _save_role(request, role: SystemRole, data: dict) -> SystemRole:
    for name in ("iso_roles", "eu_roles"):
        if name in data:
            data[name] = [str(getattr(v, "value", v)) for v in data[name] or []]
    apply(role, data, skip={"system"})
    services.save_system_role(role, actor=request.user)
    return get_role(request, role.pk)


@router.post(
    "/context/system-roles",
    auth=CONTRIBUTE,
    response=responses(201, SystemRoleOut, 403, *BODY_ERRORS),
    summary="Record the organization's roles for an AI system",
    description="One record per system; 422 when the system has one already.",
)
def create_system_role(request, payload: SystemRoleIn):
    errors = Errors()
    system = many(
        AISystem.objects.for_org(request.org),
        "slug",
        [payload.system],
        field="system",
        errors=errors,
        what="AI system",
    )
    errors.raise_if_any()
    role = SystemRole(organization=request.org, system=system[0])
    return Status(201, _save_role(request, role, payload.model_dump()))


@router.get(
    "/context/system-roles/{system_role_id}",
    auth=READ,
    response=responses(200, SystemRoleOut, 404),
    summary="Read the organization's roles for an AI system",
)
def read_system_role(request, system_role_id: int):
    return get_role(request, system_role_id)


@router.patch(
    "/context/system-roles/{system_role_id}",
    auth=CONTRIBUTE,
    response=responses(200, SystemRoleOut, 403, 404, *BODY_ERRORS),
    summary="Change the organization's roles for an AI system",
)
def update_system_role(request, system_role_id: int, payload: PatchDict[SystemRoleChange]):
    return _save_role(request, get_role(request, system_role_id), payload)
