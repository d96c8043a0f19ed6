"""Independence of internal auditors (ISO/IEC 42001 9.2.1: auditors objective and impartial).

An auditor may not audit records they own, nor an area they answer for. For an audit, each
member of the team (the lead auditor and every other auditor) is in conflict when they:

1. are an AIMS Manager of the organization: they run the management system under audit;
2. own an AI system the audit samples;
3. own a risk of the risk register that affects an AI system the audit samples;
4. own the SoA entry of an Annex A control in the audit's scope;
5. hold an AIMS role (clause 5.3, aims.leadership) that answers for a clause or an Annex A
   control in the audit's scope (a role for clause 9.2 answers for 9.2.1 and 9.2.2). Clause 5.3
   and control A.3.2 (roles and responsibilities) do not count: every role record addresses them
   by existing, which makes its holder responsible for their own role, not for how roles are
   defined and assigned.

Each rule reads records the app holds, so the check is the same on the page, in the API and in
the report. :func:`conflicts` names each conflict in a sentence a person understands.
"""

from __future__ import annotations

from dataclasses import dataclass

from aims.leadership.models import AIMSRole
from aims.organizations.models import Membership, Role
from aims.risk.models import Risk
from aims.soa.models import SoAEntry

RULES = (
    "are an AIMS Manager of the organization (they run the system under audit);",
    "own an AI system the audit samples;",
    "own a risk affecting an AI system the audit samples;",
    "own the SoA entry of an Annex A control in scope;",
    "hold an AIMS role that answers for a clause or control in scope (other than 5.3 and "
    "A.3.2, which every role addresses).",
)
# What every AIMS role addresses by existing: holding one does not make its holder answer for it.
EVERY_ROLE = frozenset({"5.3", "A.3.2"})


@dataclass(frozen=True)
class Conflict:
    """Why ``user`` may not audit here; ``field`` is where the form shows it."""

    user_id: int
    field: str  # "lead_auditor" or "team"
    message: str


def name_of(user) -> str:
    return user.get_full_name() or user.get_username()


def _answers_for(role_refs: set[str], scope_refs: set[str]) -> list[str]:
    """The scope clauses a role's clauses answer for: the same clause, or a sub-clause of it."""
    return sorted(
        ref for ref in scope_refs if any(ref == r or ref.startswith(r + ".") for r in role_refs)
    )


def conflicts(organization, *, lead, team, clauses, controls, systems) -> list[Conflict]:
    """Every conflict of the audit team with the scope. ``clauses``, ``controls`` and
    ``systems`` are records (catalog clauses and controls, AI systems); ``team`` the other
    auditors. A fixed number of queries."""
    people = []
    if lead is not None:
        people.append((lead, "lead_auditor"))
    people += [(user, "team") for user in team if lead is None or user.pk != lead.pk]
    if not people:
        return []
    ids = {user.pk for user, _ in people}
    systems = list(systems)
    clause_refs = {c.ref for c in clauses}
    controls = list(controls)
    control_refs = {c.ref for c in controls}
    reasons: dict[int, list[str]] = {pk: [] for pk in ids}

    managers = set(
        Membership.objects.filter(
            organization=organization, user_id__in=ids, role=Role.MANAGER
        ).values_list("user_id", flat=True)
    )
    for pk in managers:
        reasons[pk].append(
            "is an AIMS Manager of the organization: they run the management system this "
            "audit examines"
        )
    for system in systems:
        if system.owner_id in ids:
            reasons[system.owner_id].append(
                f"owns the AI system {system.name}, which this audit samples"
            )
    if systems:
        risks = (
            Risk.objects.filter(organization=organization, owner_id__in=ids, systems__in=systems)
            .prefetch_related("systems")
            .distinct()
            .order_by("ref")
        )
        sampled = {s.pk for s in systems}
        for risk in risks:
            names = ", ".join(s.name for s in risk.systems.all() if s.pk in sampled)
            reasons[risk.owner_id].append(
                f"owns the risk {risk.ref} {risk.title} of {names}, which this audit samples"
            )
    if controls:
        entries = (
            SoAEntry.objects.filter(
                organization=organization, owner_id__in=ids, control__in=controls
            )
            .select_related("control")
            .order_by("control__position")
        )
        for entry in entries:
            reasons[entry.owner_id].append(
                f"owns the SoA entry of {entry.control.ref} {entry.control.title}, a control "
                "in this audit's scope"
            )
    if clause_refs or control_refs:
        roles = (
            AIMSRole.objects.filter(organization=organization, holders__in=ids)
            .prefetch_related("holders", "clauses", "controls")
            .distinct()
            .order_by("name")
        )
        for role in roles:
            found = _answers_for({c.ref for c in role.clauses.all()} - EVERY_ROLE, clause_refs)
            found += sorted(({c.ref for c in role.controls.all()} - EVERY_ROLE) & control_refs)
            if not found:
                continue
            for holder in role.holders.all():
                if holder.pk in ids:
                    reasons[holder.pk].append(
                        f"holds the AIMS role {role.name}, which answers for "
                        f"{', '.join(found)} in this audit's scope"
                    )
    out = []
    for user, field in people:
        for reason in reasons[user.pk]:
            out.append(Conflict(user.pk, field, f"{name_of(user)} {reason}."))
    return out


def conflicts_of(audit) -> list[Conflict]:
    """The conflicts of a saved audit, as its team and scope stand now."""
    return conflicts(
        audit.organization,
        lead=audit.lead_auditor,
        team=list(audit.team.all()),
        clauses=list(audit.clauses.all()),
        controls=list(audit.controls.all()),
        systems=list(audit.systems.all()),
    )


def by_field(found: list[Conflict]) -> dict[str, list[str]]:
    """The conflicts as field errors: ``{"lead_auditor": [...], "team": [...]}``."""
    errors: dict[str, list[str]] = {}
    for conflict in found:
        errors.setdefault(conflict.field, []).append(conflict.message)
    return errors
