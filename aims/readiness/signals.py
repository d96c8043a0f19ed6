"""What the data says about each requirement: a proposed maturity level, with its reason.

:func:`aims.readiness.facts.gather` reads the other areas once, with a fixed number of queries
whatever the number of records or items, into :class:`~aims.readiness.facts.Facts`;
:func:`propose` turns the facts into one :class:`Proposal` per clause and per control. The
assessor confirms each proposal or overrides it with a note.

The rules, in short (each reason says which applied):

* a clause is proposed from the area that records it (4.1 the context issues, 5.2 the approved
  AI policy, 9.2 the internal audits, ...); an area with no record says "not recorded yet" and
  proposes 0 or 1;
* a control is proposed from its entry in the Statement of Applicability: not decided or not
  started 0, planned 1, partly implemented 2, implemented without current evidence 2,
  implemented with current evidence 3, and 4 when it is also followed (a technical check on it
  passed its latest run, or a completed internal audit covered it);
* an open major nonconformity on a clause or control lowers its proposal by one level.

Level 5 (improving) is proposed only where the records show the improvement loop itself (10.1,
10.2); elsewhere it is the assessor's call.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from aims.documents.models import Status as DocumentStatus
from aims.evidence.models import Evidence
from aims.soa.models import Applicability, Implementation

from . import below
from .facts import (
    NOT_RECORDED,
    RECENT_DAYS,
    Facts,
    Proposal,
    _past,
    _share,
    gather,
    pct,
    plural,
)

# --- Clauses ------------------------------------------------------------------------------------


def _issues(f: Facts) -> Proposal:
    if not f.issues:
        return Proposal(0, f"Internal and external issues (4.1): {NOT_RECORDED}.")
    reason = f"{plural(f.issues, 'open issue')} recorded"
    if f.issues_overdue:
        return Proposal(2, f"{reason}; {_past(f.issues_overdue)}.")
    if f.reviews is not None and f.reviews.held_within_year:
        return Proposal(
            4, f"{reason}, none past review, and a management review was held this year."
        )
    return Proposal(3, f"{reason}, none past its review date.")


def _parties(f: Facts) -> Proposal:
    if not f.parties:
        return Proposal(0, f"Interested parties (4.2): {NOT_RECORDED}.")
    reason = f"{plural(f.parties, 'interested party', 'interested parties')} recorded"
    if f.parties_overdue:
        return Proposal(2, f"{reason}; {_past(f.parties_overdue)}.")
    addressed = _share(f.parties_addressed, f.parties)
    if addressed is not None and addressed >= 80:
        return Proposal(
            4, f"{reason}, none past review; {pct(addressed)} of them addressed by the AIMS."
        )
    return Proposal(
        3, f"{reason}, none past review; {pct(addressed)} of them addressed by the AIMS."
    )


def _scope(f: Facts) -> Proposal:
    if f.scope_approved and f.scope_overdue:
        return Proposal(2, "The scope is approved, but past its review date.")
    if f.scope_approved:
        if f.reviews is not None and f.reviews.held_within_year:
            return Proposal(
                4,
                "An approved scope, within its review date, and reviewed by management this year.",
            )
        return Proposal(3, "An approved scope statement, within its review date.")
    if f.scope_draft:
        return Proposal(1, "The scope statement is a draft: not approved yet.")
    return Proposal(0, f"Scope statement (4.3): {NOT_RECORDED}.")


def _aims(f: Facts) -> Proposal:
    parts = {
        "approved scope": f.scope_approved,
        "approved AI policy": f.policy_current,
        "SoA decided": f.soa_total > 0 and f.soa_undecided == 0,
        "risks assessed": f.risks_total > 0,
        "internal audit done": bool(f.audits and f.audits.completed_within_year),
        "management review held": bool(f.reviews and f.reviews.held_within_year),
    }
    present = [name for name, ok in parts.items() if ok]
    missing = [name for name, ok in parts.items() if not ok]
    level = {0: 0, 1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4}[len(present)]
    reason = f"{len(present)} of {len(parts)} parts of the system in place"
    if missing:
        reason += f"; missing: {', '.join(missing)}"
    return Proposal(level, reason + ".")


def _leadership_commitment(f: Facts) -> Proposal:
    if not f.top_managers:
        return Proposal(0, "No member is marked as top management yet.")
    reason = f"{plural(f.top_managers, 'top management member')}"
    if not f.meetings_held:
        return Proposal(1, f"{reason}; no committee meeting held in the last 12 months.")
    reason += f"; {plural(f.meetings_held, 'committee meeting')} held in the last 12 months"
    if f.reviews is not None and f.reviews.held_within_year:
        return Proposal(4, f"{reason}, and a management review.")
    return Proposal(3, reason + ".")


def _policy(f: Facts) -> Proposal:
    if f.policy_status is None:
        return Proposal(0, f"AI policy (5.2): {NOT_RECORDED}.")
    if not f.policy_current:
        label = DocumentStatus(f.policy_status).label.lower()
        return Proposal(
            2 if f.policy_status == DocumentStatus.IN_REVIEW else 1,
            f"The AI policy is written ({label}) but not approved yet.",
        )
    if f.policy_overdue:
        return Proposal(2, "The AI policy is approved, but past its review date.")
    acknowledged = f.policy_acknowledged
    if acknowledged is not None and acknowledged >= 80:
        return Proposal(
            4,
            f"The AI policy is approved and current; {pct(acknowledged)} of members "
            "acknowledged it.",
        )
    return Proposal(
        3,
        f"The AI policy is approved and current; {pct(acknowledged)} of members acknowledged it.",
    )


def _roles(f: Facts) -> Proposal:
    if not f.roles:
        return Proposal(0, f"AIMS roles (5.3): {NOT_RECORDED}.")
    reason = plural(f.roles, "AIMS role")
    if f.roles_unassigned:
        return Proposal(2, f"{reason}; {f.roles_unassigned} held by nobody yet.")
    if f.activities and not f.activities_flagged:
        return Proposal(4, f"{reason}, all assigned; every RACI activity has one accountable.")
    return Proposal(3, f"{reason}, all assigned.")


def _risk_general(f: Facts) -> Proposal:
    if not f.risks_total:
        return Proposal(0, f"Risks and opportunities (6.1.1): {NOT_RECORDED}.")
    reason = f"{plural(f.risks_total, 'risk')} in the register"
    if not f.issues_with_risks:
        return Proposal(2, f"{reason}; no context issue is linked to a risk yet.")
    if f.risks_review_overdue:
        return Proposal(
            3,
            f"{reason}; {plural(f.issues_with_risks, 'context issue')} linked to risks; "
            f"{plural(f.risks_review_overdue, 'risk review')} overdue.",
        )
    return Proposal(
        4,
        f"{reason}; {plural(f.issues_with_risks, 'context issue')} linked to risks; no review "
        "overdue.",
    )


def _risk_assessment(f: Facts, *, operation: bool = False) -> Proposal:
    if not f.risks_total:
        return Proposal(0, f"Risk assessment: {NOT_RECORDED}.")
    reason = f"{plural(f.risks_open, 'open risk')} assessed"
    if f.risks_review_overdue:
        return Proposal(2, f"{reason}; {_past(f.risks_review_overdue)}.")
    if f.risks_without_residual:
        return Proposal(
            3, f"{reason}, reviews on time; {f.risks_without_residual} without a residual score."
        )
    suffix = " at the planned intervals" if operation else ""
    return Proposal(4, f"{reason}{suffix}, reviews on time, residual scores for all.")


def _risk_treatment(f: Facts, *, operation: bool = False) -> Proposal:
    if not f.risks_total:
        return Proposal(0, f"Risk treatment: {NOT_RECORDED}.")
    if f.risks_without_treatment:
        return Proposal(
            1 if f.risks_without_treatment == f.risks_open else 2,
            f"{f.risks_without_treatment} of {f.risks_open} open risks have no treatment chosen.",
        )
    if operation and f.risks_treatment_overdue:
        return Proposal(
            2, f"{plural(f.risks_treatment_overdue, 'risk')} past its treatment due date."
        )
    if not operation and (f.soa_undecided or not f.soa_total):
        return Proposal(
            2,
            f"Every open risk has a treatment; {plural(f.soa_undecided, 'SoA control')} still to "
            "decide.",
        )
    problems = []
    if f.risks_plan_unapproved:
        problems.append(f"{plural(f.risks_plan_unapproved, 'treatment plan')} not approved")
    if f.risks_needing_decision:
        problems.append(
            f"{plural(f.risks_needing_decision, 'risk')} above appetite without acceptance"
        )
    if not operation and f.soa_flagged:
        problems.append(f"{plural(f.soa_flagged, 'SoA entry', 'SoA entries')} flagged")
    if problems:
        return Proposal(3, "Every open risk has a treatment; " + "; ".join(problems) + ".")
    what = "treatments on time" if operation else "the SoA decided"
    return Proposal(
        4,
        f"Every open risk has an approved treatment, {what}, nothing above "
        "appetite without a decision.",
    )


def _impact_assessment(f: Facts) -> Proposal:
    if not f.systems_needing_impact:
        if f.impact_assessments:
            return Proposal(
                3,
                f"{plural(f.impact_assessments, 'impact assessment')} recorded; "
                "no active system needs one now.",
            )
        return Proposal(1, f"Impact assessments: {NOT_RECORDED} (no active system needs one).")
    done, needed = f.systems_with_current_impact, f.systems_needing_impact
    reason = f"{done} of {needed} systems that need an impact assessment have a current one"
    if done == 0:
        return Proposal(1 if f.impact_assessments else 0, reason + ".")
    if done < needed:
        return Proposal(2, reason + ".")
    if f.impact_due:
        return Proposal(3, f"{reason}; {plural(f.impact_due, 'reassessment')} due.")
    return Proposal(4, f"{reason}; none due for reassessment.")


def _objectives_clause(f: Facts) -> Proposal:
    if not f.objectives:
        return Proposal(0, f"AI objectives (6.2): {NOT_RECORDED}.")
    reason = plural(f.objectives, "AI objective")
    if not f.kpis:
        return Proposal(2, f"{reason}; no KPI measures them yet.")
    on_track = _share(f.objectives_on_track, f.objectives)
    reason += f" with {plural(f.kpis, 'KPI')}; {pct(on_track)} on track"
    if on_track is not None and on_track >= 80 and f.kpis_measured_recently:
        return Proposal(4, reason + ".")
    return Proposal(3, reason + ".")


def _changes(f: Facts) -> Proposal:
    if not f.changes:
        return Proposal(1, f"Planned changes (6.3): {NOT_RECORDED}.")
    reason = plural(f.changes, "planned change")
    if f.changes_overdue:
        return Proposal(2, f"{reason}; {f.changes_overdue} approved but past the planned date.")
    if f.changes_implemented:
        return Proposal(3, f"{reason}; {f.changes_implemented} implemented as planned.")
    return Proposal(2, f"{reason}; none implemented yet.")


def _resources(f: Facts) -> Proposal:
    if not (f.resources or f.datasets):
        return Proposal(1, f"Resources for the AI systems (7.1): {NOT_RECORDED}.")
    return Proposal(
        3 if f.resources and f.datasets else 2,
        f"{plural(f.resources, 'resource')} and {plural(f.datasets, 'data set')} documented.",
    )


def _by_share(share: float | None, what: str, missing: str) -> Proposal:
    if share is None:
        return Proposal(0, f"{missing}: {NOT_RECORDED}.")
    level = 1 if share < 50 else 2 if share < 80 else 3 if share < 95 else 4
    return Proposal(level, f"{pct(share)} {what}.")


def _communication(f: Facts) -> Proposal:
    if not f.plan_entries:
        return Proposal(0, f"Communication plan (7.4): {NOT_RECORDED}.")
    reason = f"A communication plan of {plural(f.plan_entries, 'entry', 'entries')}"
    if f.plan_overdue:
        return Proposal(2, f"{reason}; {f.plan_overdue} overdue.")
    if f.messages_recent:
        return Proposal(
            4,
            f"{reason}, none overdue; {plural(f.messages_recent, 'communication')}"
            " logged in the last six months.",
        )
    return Proposal(3, f"{reason}, none overdue.")


def _documents(f: Facts, *, control: bool = False) -> Proposal:
    if not f.documents_live:
        return Proposal(0, f"Documented information (7.5): {NOT_RECORDED}.")
    reason = f"{f.documents_approved} of {f.documents_live} documents approved"
    if not f.documents_approved:
        return Proposal(1, reason + ".")
    if f.documents_overdue:
        return Proposal(2, f"{reason}; {_past(f.documents_overdue)}.")
    if control and f.documents_approved == f.documents_live:
        return Proposal(4, f"{reason}; none past review; each change approved as a new version.")
    return Proposal(3, f"{reason}; none past its review date.")


def _operational_control(f: Facts) -> Proposal:
    if not f.checks_active:
        return Proposal(1, f"Technical checks on the AI systems (8.1): {NOT_RECORDED}.")
    reason = f"{plural(f.checks_active, 'active technical check')}"
    if f.open_alerts:
        return Proposal(2, f"{reason}; {plural(f.open_alerts, 'alert')} still open.")
    if f.checks_run_recently and not f.changes_overdue:
        return Proposal(
            4,
            f"{reason}, {f.checks_run_recently} run in the last {RECENT_DAYS} "
            "days; no open alert; no change overdue.",
        )
    return Proposal(3, f"{reason}; no open alert.")


def _monitoring(f: Facts) -> Proposal:
    if not (f.kpis or f.checks_active):
        return Proposal(0, f"KPIs and technical checks (9.1): {NOT_RECORDED}.")
    reason = (
        f"{f.kpis_measured_recently} of {f.kpis} KPIs and {f.checks_run_recently} of "
        f"{f.checks_active} checks measured in the last {RECENT_DAYS} days"
    )
    if not (f.kpis_measured_recently or f.checks_run_recently):
        return Proposal(2, reason + ".")
    on_target = _share(f.kpis_on_target, f.kpis)
    if (on_target is None or on_target >= 80) and not f.open_alerts:
        return Proposal(4, f"{reason}; {pct(on_target)} of KPIs on target, no open alert.")
    return Proposal(3, f"{reason}; {pct(on_target)} of KPIs on target.")


CLAUSE_RULES = {
    "4.1": _issues,
    "4.2": _parties,
    "4.3": _scope,
    "4.4": _aims,
    "5.1": _leadership_commitment,
    "5.2": _policy,
    "5.3": _roles,
    "6.1.1": _risk_general,
    "6.1.2": _risk_assessment,
    "6.1.3": _risk_treatment,
    "6.1.4": _impact_assessment,
    "6.2": _objectives_clause,
    "6.3": _changes,
    "7.1": _resources,
    "7.2": lambda f: _by_share(
        f.training_share, "of the required training complete", "Competence requirements (7.2)"
    ),
    "7.3": lambda f: _by_share(
        f.policy_acknowledged,
        "of members acknowledged the AI policy",
        "Awareness of the AI policy (7.3)",
    ),
    "7.4": _communication,
    "7.5.1": _documents,
    "7.5.2": _documents,
    "7.5.3": lambda f: _documents(f, control=True),
    "8.1": _operational_control,
    "8.2": lambda f: _risk_assessment(f, operation=True),
    "8.3": lambda f: _risk_treatment(f, operation=True),
    "8.4": _impact_assessment,
    "9.1": _monitoring,
    "9.2.1": lambda f: below.audit_proposal(f.audits, programme=False),
    "9.2.2": lambda f: below.audit_proposal(f.audits, programme=True),
    "9.3.1": lambda f: below.review_proposal(f.reviews, part="held"),
    "9.3.2": lambda f: below.review_proposal(f.reviews, part="inputs"),
    "9.3.3": lambda f: below.review_proposal(f.reviews, part="results"),
    "10.1": lambda f: below.improvement_proposal(f.improvements),
    "10.2": lambda f: below.nonconformity_proposal(f.nonconformities),
}

# Where the records behind each clause's proposal are, for a link beside the reason.
CLAUSE_SOURCES = {
    "4.1": "issue_list",
    "4.2": "party_list",
    "4.3": "scope_list",
    "5.1": "leadership_top_management",
    "5.2": "document_list",
    "5.3": "leadership_role_list",
    "6.1.1": "risk_list",
    "6.1.2": "risk_list",
    "6.1.3": "soa_list",
    "6.1.4": "impact_list",
    "6.2": "objective_list",
    "6.3": "change_list",
    "7.1": "dataset_list",
    "7.2": "competence_matrix",
    "7.3": "document_list",
    "7.4": "communication_plan_list",
    "7.5.1": "document_list",
    "7.5.2": "document_list",
    "7.5.3": "document_list",
    "8.1": "check_list",
    "8.2": "risk_list",
    "8.3": "risk_list",
    "8.4": "impact_list",
    "9.1": "kpi_list",
    **below.CLAUSE_SOURCES,
}


def source_url(organization, ref: str) -> str:
    """The page of the records a clause's proposal is read from ("" when none)."""
    name = CLAUSE_SOURCES.get(ref)
    if name is None:
        return ""
    try:
        return reverse(name, kwargs={"org": organization.slug})
    except Exception:  # noqa: BLE001 - an area not installed: no link
        return ""


def propose_clause(facts: Facts, ref: str) -> Proposal:
    rule = CLAUSE_RULES.get(ref)
    if rule is None:
        return Proposal(0, "The app holds no record for this requirement: rate it by hand.")
    return rule(facts)


# --- Controls -----------------------------------------------------------------------------------


def propose_control(facts: Facts, control_id: int) -> Proposal:
    entry = facts.entries.get(control_id)
    if entry is None or entry["applicability"] == Applicability.UNDECIDED:
        return Proposal(0, "Not decided in the Statement of Applicability yet.")
    status = entry["status"]
    if status == Implementation.NOT_STARTED:
        return Proposal(0, "Applicable; implementation not started (SoA).")
    if status == Implementation.PLANNED:
        return Proposal(1, "Applicable; implementation planned (SoA).")
    if status == Implementation.PARTIAL:
        evidence = " with current evidence" if entry["has_current_evidence"] else ""
        return Proposal(2, f"Partly implemented (SoA){evidence}.")
    if not entry["has_current_evidence"]:
        return Proposal(2, "Implemented (SoA), but no current evidence shows it.")
    followed = []
    checks = facts.passing_checks.get(control_id, [])
    if checks:
        followed.append(f"check “{checks[0]}” passed its latest run")
    if facts.audits is not None and control_id in facts.audits.controls_audited:
        followed.append("covered by a completed internal audit")
    if followed:
        return Proposal(4, "Implemented with current evidence; " + "; ".join(followed) + ".")
    return Proposal(3, "Implemented (SoA) with current evidence.")


# --- Together -----------------------------------------------------------------------------------


def _lowered(proposal: Proposal, majors: int) -> Proposal:
    if not majors or proposal.level == 0:
        return proposal
    return Proposal(
        proposal.level - 1,
        f"{proposal.reason} Lowered by one: {plural(majors, 'open major nonconformity', 'open major nonconformities')}.",
    )


def propose(organization, *, today: dt.date, clauses, controls):
    """The proposals for ``clauses`` and ``controls`` (catalog records): two dicts by id."""
    facts = gather(organization, today=today)
    majors = facts.nonconformities.majors_by_requirement if facts.nonconformities else {}
    by_clause = {
        clause.pk: _lowered(propose_clause(facts, clause.ref), majors.get(("clause", clause.pk), 0))
        for clause in clauses
    }
    by_control = {
        control.pk: _lowered(
            propose_control(facts, control.pk), majors.get(("control", control.pk), 0)
        )
        for control in controls
    }
    return by_clause, by_control


def evidence_links(organization, *, clauses, controls, today: dt.date) -> dict:
    """Current evidence already linked to each clause or control's SoA entry, to start an item's
    list: ``{("clause", id) | ("control", id): [evidence id]}``. Two queries."""
    found: dict = defaultdict(list)
    current = Evidence.objects.for_org(organization).current(today)
    clause_ids = [c.pk for c in clauses]
    control_ids = [c.pk for c in controls]
    for evidence_id, clause_id in current.filter(clauses__in=clause_ids).values_list(
        "pk", "clauses"
    ):
        found[("clause", clause_id)].append(evidence_id)
    for evidence_id, control_id in current.filter(soa_entries__control__in=control_ids).values_list(
        "pk", "soa_entries__control"
    ):
        found[("control", control_id)].append(evidence_id)
    return found
