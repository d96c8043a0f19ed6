"""Every change to the context of the organization: issues, interested parties, the scope and its
versions, the roles per AI system and the obligations register. Each runs in one transaction and
is written to the change trail."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from aims.catalog.models import Clause, Control
from aims.core.errors import NeedsAuthority, Refused
from aims.inventory.models import AISystem
from aims.organizations.models import Membership
from aims.proposals.services import DECIDERS, may_decide
from aims.risk.models import Category as RiskCategory
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .catalogue import by_key
from .models import (
    AIRole,
    Compliance,
    InterestedParty,
    Issue,
    IssueCategory,
    IssueStatus,
    Obligation,
    OperatorRole,
    ScopeStatus,
    ScopeVersion,
    SystemRole,
)

# The requirements a record addresses when it is created without saying.
DEFAULT_CLAUSES = {Issue: ["4.1"], InterestedParty: ["4.2"], ScopeVersion: ["4.3"]}
DEFAULT_CONTROLS = {Obligation: ["A.8.5"]}

REVIEW_IN_THE_PAST = "Choose today or a later date: a review date in the past is overdue at once."


def _requirements(record_, clauses, controls) -> dict:
    """The many-to-many links to the catalog to save: those given, or on creation the record
    kind's default when neither is given."""
    m2m = {}
    if clauses is None and controls is None and record_.pk is None:
        clauses = list(Clause.objects.filter(ref__in=DEFAULT_CLAUSES.get(type(record_), [])))
        controls = list(Control.objects.filter(ref__in=DEFAULT_CONTROLS.get(type(record_), [])))
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    return m2m


def _check_owner(record_, errors: dict) -> None:
    owner_id = getattr(record_, "owner_id", None)
    if (
        owner_id is not None
        and not Membership.objects.filter(
            organization_id=record_.organization_id, user_id=owner_id
        ).exists()
    ):
        errors["owner"] = "The owner must be a member of this organization."


def _check_review_date(record_, field: str, errors: dict, today: dt.date | None = None) -> None:
    """A review date set or changed to a day already past is refused; one that passed while
    stored stays (it shows as overdue)."""
    today = today or timezone.localdate()
    value = getattr(record_, field)
    if value is None or value >= today:
        return
    stored = (
        type(record_).objects.filter(pk=record_.pk).values_list(field, flat=True).first()
        if record_.pk
        else None
    )
    if stored != value:
        errors[field] = REVIEW_IN_THE_PAST


def _check_systems(record_, systems, errors: dict) -> None:
    if systems is not None and any(s.organization_id != record_.organization_id for s in systems):
        errors["systems"] = "AI systems must belong to this organization."


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- Issues (4.1) ----------------------------------------------------------------------------


def next_issue_ref(organization) -> str:
    refs = Issue.objects.filter(organization=organization).values_list("ref", flat=True)
    numbers = [int(r[4:]) for r in refs if r.startswith("ISS-") and r[4:].isdigit()]
    return f"ISS-{(max(numbers, default=0) + 1):03d}"


@transaction.atomic
def save_issue(issue: Issue, *, actor, risks=None, clauses=None, controls=None) -> Issue:
    """Create or change an issue with its linked risks and the requirements it addresses
    (clause 4.1 when created without saying)."""
    errors: dict = {}
    _check_owner(issue, errors)
    _check_review_date(issue, "review_date", errors)
    if risks is not None and any(r.organization_id != issue.organization_id for r in risks):
        errors["risks"] = "Linked risks must belong to this organization's register."
    _raise(errors)
    if not issue.ref:
        issue.ref = next_issue_ref(issue.organization)
    m2m = _requirements(issue, clauses, controls)
    if risks is not None:
        m2m["risks"] = risks
    return save_governed(issue, actor=actor, m2m=m2m)


@transaction.atomic
def delete_issue(issue: Issue, *, actor) -> None:
    """Delete an issue recorded by mistake; its risks stay in the register."""
    delete_governed(issue, actor=actor)


# The risk register's category that fits an issue's heading best, as the form's first choice.
RISK_CATEGORY_OF = {
    IssueCategory.POLITICAL: RiskCategory.LEGAL,
    IssueCategory.LEGAL: RiskCategory.LEGAL,
    IssueCategory.ECONOMIC: RiskCategory.OPERATIONAL,
    IssueCategory.SOCIAL: RiskCategory.REPUTATIONAL,
    IssueCategory.TECHNOLOGICAL: RiskCategory.OPERATIONAL,
    IssueCategory.ENVIRONMENTAL: RiskCategory.ENVIRONMENTAL,
}


def risk_category_for(issue: Issue) -> str:
    return RISK_CATEGORY_OF.get(issue.category, RiskCategory.OPERATIONAL)


def risk_description_for(issue: Issue) -> str:
    """The new risk's description: where it comes from, the issue and its effect."""
    longest = Risk._meta.get_field("description").max_length
    parts = [
        f"Raised from context issue {issue.ref} ({issue.get_side_display().lower()}, "
        f"{issue.get_category_display().lower()}).",
        issue.description.strip(),
        f"Effect on the AIMS: {issue.effect.strip()}" if issue.effect.strip() else "",
    ]
    return "\n\n".join(p for p in parts if p)[:longest]


@transaction.atomic
def raise_risk(
    issue: Issue, *, actor, likelihood: int, impact: int, category: str | None = None, owner=None
) -> Risk:
    """In one step, add a risk to the register from ``issue`` (its title, description and
    effect), scored ``likelihood`` × ``impact`` on the organization's matrix, and link the two.
    The risk's description names the issue; the issue's trail records the link."""
    issue = Issue.objects.select_for_update().select_related("organization").get(pk=issue.pk)
    if issue.status == IssueStatus.CLOSED:
        raise Refused(f"{issue.ref} is closed: reopen it before raising a risk from it.")
    if category is not None and category not in RiskCategory.values:
        raise ValidationError({"category": "Choose one of the risk register's categories."})
    errors = {}
    if likelihood is None:
        errors["inherent_likelihood"] = "Choose how likely the risk is before treatment."
    if impact is None:
        errors["inherent_impact"] = "Choose how severe its consequences are."
    _raise(errors)
    risk = Risk(
        organization=issue.organization,
        title=issue.title,
        description=risk_description_for(issue),
        category=category or risk_category_for(issue),
        owner=owner if owner is not None else issue.owner,
        inherent_likelihood=likelihood,
        inherent_impact=impact,
    )
    save_risk(risk, actor=actor)
    before = sorted(str(r) for r in issue.risks.all())
    issue.risks.add(risk)
    record(
        issue.organization,
        actor=actor,
        instance=issue,
        action=Action.UPDATE,
        changes={"risks": [before, sorted([*before, str(risk)])]},
        note=f"Raised risk {risk.ref} in the risk register from this issue.",
    )
    return risk


# --- Interested parties (4.2) ----------------------------------------------------------------


@transaction.atomic
def save_party(party: InterestedParty, *, actor, clauses=None, controls=None) -> InterestedParty:
    errors: dict = {}
    _check_owner(party, errors)
    _check_review_date(party, "review_date", errors)
    _raise(errors)
    return save_governed(party, actor=actor, m2m=_requirements(party, clauses, controls))


@transaction.atomic
def delete_party(party: InterestedParty, *, actor) -> None:
    delete_governed(party, actor=actor)


# --- Obligations (A.8.5, 4.2) ----------------------------------------------------------------


@transaction.atomic
def save_obligation(
    obligation: Obligation, *, actor, systems=None, clauses=None, controls=None
) -> Obligation:
    """Create or change an obligation of the register (control A.8.5 when created without
    saying)."""
    errors: dict = {}
    _check_owner(obligation, errors)
    _check_review_date(obligation, "review_date", errors)
    _check_systems(obligation, systems, errors)
    _raise(errors)
    m2m = _requirements(obligation, clauses, controls)
    if systems is not None:
        m2m["systems"] = systems
    return save_governed(obligation, actor=actor, m2m=m2m)


@transaction.atomic
def delete_obligation(obligation: Obligation, *, actor) -> None:
    delete_governed(obligation, actor=actor)


def in_register(organization) -> set[str]:
    """The references the register holds, in lower case, to skip suggestions already there."""
    return {
        r.strip().lower()
        for r in Obligation.objects.filter(organization=organization).values_list(
            "reference", flat=True
        )
        if r
    }


@transaction.atomic
def add_catalogue_obligations(
    organization, *, actor, keys, systems=(), owner=None
) -> tuple[list[Obligation], list[str]]:
    """Create an obligation for each chosen suggestion (EU AI Act articles, GDPR articles, ...)
    in one step: all of them or, on any error, none. Those whose reference is in the register
    already are skipped. Returns the obligations created and the references skipped."""
    known = by_key()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValidationError({"articles": f"Unknown article or suggestion: {', '.join(unknown)}."})
    if not keys:
        raise ValidationError({"articles": "Choose at least one article or suggestion."})
    systems = list(systems)
    errors: dict = {}
    _check_systems(Obligation(organization=organization), systems, errors)
    _raise(errors)
    present = in_register(organization)
    created, skipped = [], []
    for key in dict.fromkeys(keys):
        item = known[key]
        if item.reference.lower() in present:
            skipped.append(item.reference)
            continue
        obligation = Obligation(
            organization=organization,
            kind=item.kind,
            title=item.title,
            reference=item.reference,
            description=item.description,
            owner=owner,
            compliance=Compliance.NOT_ASSESSED,
        )
        save_obligation(obligation, actor=actor, systems=systems)
        present.add(item.reference.lower())
        created.append(obligation)
    return created, skipped


# --- Scope (4.3) -----------------------------------------------------------------------------

SCOPE_REVIEW_DAYS = 365
SCOPE_CONTENT = ("statement", "units", "sites", "activities", "exclusions", "interfaces")


def draft_from_current(organization) -> ScopeVersion:
    """A new, unsaved draft holding the approved version's content (or the organization's
    scope text when none is approved yet), to edit and save."""
    current = ScopeVersion.objects.current(organization)
    draft = ScopeVersion(organization=organization, status=ScopeStatus.DRAFT)
    if current is not None:
        for name in SCOPE_CONTENT:
            setattr(draft, name, getattr(current, name))
    else:
        draft.statement = organization.scope
    return draft


@transaction.atomic
def save_scope_draft(
    version: ScopeVersion, *, actor, systems=None, clauses=None, controls=None
) -> ScopeVersion:
    """Create a new draft of the scope, or change the draft. An approved or superseded version
    never changes: editing the scope starts a new draft. One draft at a time."""
    if version.pk is not None:
        stored = ScopeVersion.objects.select_for_update().get(pk=version.pk)
        if stored.status != ScopeStatus.DRAFT:
            raise Refused(
                f"Version {stored.number} is {stored.get_status_display().lower()}: it never "
                "changes. Start a new draft to change the scope."
            )
        version.status = ScopeStatus.DRAFT
    else:
        existing = ScopeVersion.objects.for_org(version.organization).drafts().first()
        if existing is not None:
            raise Refused(
                f"Version {existing.number} is a draft already: change it, or approve it "
                "before starting another."
            )
        version.status = ScopeStatus.DRAFT
        top = ScopeVersion.objects.for_org(version.organization).aggregate(n=Max("number"))["n"]
        version.number = (top or 0) + 1
        version.author = actor
    errors: dict = {}
    _check_systems(version, systems, errors)
    _raise(errors)
    version.last_edited_by = actor
    version.approved_by, version.approved_at = None, None
    m2m = _requirements(version, clauses, controls)
    if systems is not None:
        m2m["systems"] = systems
    return save_governed(version, actor=actor, m2m=m2m)


@transaction.atomic
def approve_scope(version: ScopeVersion, *, actor, note: str = "", today=None) -> ScopeVersion:
    """Approve a draft of the scope, as someone with decision authority who did not write it.
    The version approved before it becomes superseded. Its next review is a year on."""
    today = today or timezone.localdate()
    version = ScopeVersion.objects.select_for_update().get(pk=version.pk)
    if not may_decide(version.organization, actor):
        raise NeedsAuthority(f"Approving the scope needs {DECIDERS}.")
    if version.status != ScopeStatus.DRAFT:
        raise Refused(
            f"Version {version.number} is {version.get_status_display().lower()}: only a draft "
            "can be approved."
        )
    if actor.pk in (version.author_id, version.last_edited_by_id):
        raise Refused(
            "Someone other than the draft's author approves it: ask another Owner, AIMS Manager "
            "or member of top management."
        )
    if not version.statement.strip():
        raise ValidationError({"statement": "Write the scope statement before approval."})
    previous = ScopeVersion.objects.for_org(version.organization).approved().first()
    if previous is not None:
        previous.status = ScopeStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
        record(
            previous.organization,
            actor=actor,
            instance=previous,
            action=Action.UPDATE,
            changes={"status": [ScopeStatus.APPROVED, ScopeStatus.SUPERSEDED]},
            note=f"Superseded by version {version.number}.",
        )
    version.status = ScopeStatus.APPROVED
    version.approved_by, version.approved_at = actor, timezone.now()
    version.next_review = today + dt.timedelta(days=SCOPE_REVIEW_DAYS)
    version.save(
        update_fields=["status", "approved_by", "approved_at", "next_review", "updated_at"]
    )
    record(
        version.organization,
        actor=actor,
        instance=version,
        action=Action.DECISION,
        changes={
            "status": [ScopeStatus.DRAFT, ScopeStatus.APPROVED],
            "approved_by": [None, actor.get_username()],
            "next_review": [None, version.next_review.isoformat()],
        },
        note=note or f"Scope version {version.number} approved.",
    )
    return version


# --- Roles per AI system ---------------------------------------------------------------------


@transaction.atomic
def save_system_role(role: SystemRole, *, actor) -> SystemRole:
    """Record what the organization is for one AI system: ISO/IEC 22989 roles and, apart, EU AI
    Act operator roles. One record per system."""
    errors: dict = {}
    system = AISystem.objects.filter(pk=role.system_id).first() if role.system_id else None
    if system is None or system.organization_id != role.organization_id:
        errors["system"] = "Choose an AI system of this organization."
    elif SystemRole.objects.filter(system=system).exclude(pk=role.pk).exists():
        errors["system"] = f"{system.name} has its roles recorded already: change that record."
    role.iso_roles = list(dict.fromkeys(role.iso_roles or []))
    role.eu_roles = list(dict.fromkeys(role.eu_roles or []))
    wrong = [v for v in role.iso_roles if v not in AIRole.values]
    if wrong:
        errors["iso_roles"] = f"Unknown ISO/IEC 22989 role: {', '.join(map(str, wrong))}."
    wrong = [v for v in role.eu_roles if v not in OperatorRole.values]
    if wrong:
        errors["eu_roles"] = f"Unknown EU AI Act operator role: {', '.join(map(str, wrong))}."
    if not role.iso_roles and "iso_roles" not in errors:
        errors["iso_roles"] = "Choose at least one role the organization plays for this system."
    _raise(errors)
    # In the list's order, whatever the order chosen.
    role.iso_roles = [v for v in AIRole.values if v in role.iso_roles]
    role.eu_roles = [v for v in OperatorRole.values if v in role.eu_roles]
    return save_governed(role, actor=actor)
