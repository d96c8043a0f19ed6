"""The demo organization's internal audit programme (9.2).

* Last cycle (the twelve months before the current one): three completed audits that together
  examine every requirement clause and every Annex A control the SoA declares applicable, so the
  cycle is 100% audited. Inès Moreau (Auditor) leads the first two, with a colleague independent
  of what they examine on the team; she holds the "Internal audit" role (9.2), so the third,
  which examines clause 9.2 among others, is led by Morgan Ellis, who answers for none of it.
  Findings of every kind: a minor nonconformity on the AI policy review, its nonconformity closed
  after its action was done and found effective; a major nonconformity on the competence to
  challenge AI models, its nonconformity open with a corrective action under way; observations;
  an opportunity for improvement, in the improvement register.
* The current cycle, started two months ago, with its first audit planned in ten days.
"""

from __future__ import annotations

import datetime as dt

from aims.audits import services
from aims.audits.coverage import applicable_controls, requirement_clauses
from aims.audits.models import Audit, AuditProgramme, Result
from aims.evidence.models import Evidence
from aims.nonconformities import services as nonconformities
from aims.nonconformities.models import Verdict

OBJECTIVES = (
    "Establish that the AI management system conforms to ISO/IEC 42001 and to Northwind's own "
    "AI policy and procedures, and that it is effectively implemented and maintained, across "
    "the three AI systems in scope."
)
CRITERIA = (
    "ISO/IEC 42001:2023 clauses 4 to 10 and the Annex A controls of the Statement of "
    "Applicability; the AI policy; the AIMS procedures; the EU AI Act obligations recorded in "
    "the obligations register."
)
METHOD = (
    "Every requirement once a year, in three audits; the high-risk systems' life cycle first. "
    "Interviews with the owners, samples of records (risk register, SoA, validation reports, "
    "monitoring runs, training records) and a walk-through of one decision per system. Areas "
    "with findings in the previous cycle are audited early."
)

# Notes of the findings: (result, notes, evidence sampled)
FINDINGS = {
    "A.2.4": (
        Result.MINOR,
        "The AI policy approved by the board has not been reviewed since: the annual review "
        "planned for the first quarter did not take place, and nothing records why.",
        "AI policy v1.0 and its approval minute; the committee's agendas for the year.",
    ),
    "4.1": (
        Result.OBSERVATION,
        "The context analysis names the EU AI Act but not yet the deployer obligations that "
        "apply to the CV screening model if it goes live.",
        "Context analysis, last reviewed five months ago.",
    ),
    "A.4.6": (
        Result.MAJOR,
        "Nobody in the risk function can challenge a model validation: the second line signs "
        "off validation reports it cannot assess, for two high-risk systems. Known since the "
        "risk assessment and not yet treated.",
        "Validation sign-offs of the credit scoring model v4.1 and v4.2; interviews with the "
        "risk analysts; the training plan.",
    ),
    "A.9.2": (
        Result.IMPROVEMENT,
        "Underwriters record why they override the credit score in free text. A short list of "
        "reasons would let the committee see patterns in overrides.",
        "Forty overrides sampled from the last quarter.",
    ),
    "A.6.2.8": (
        Result.OBSERVATION,
        "Decision logs of the credit model are kept for 12 months; the retention period is not "
        "written down anywhere.",
        "Log store settings; the model card.",
    ),
    "9.1": (
        Result.OBSERVATION,
        "KPIs are measured monthly, but nobody is named to analyse them between committee "
        "meetings.",
        "The KPI list and the last three committee minutes.",
    ),
}
CONFORMING = "Seen conforming on the records sampled."


def _day(today, days: int) -> dt.date:
    return today + dt.timedelta(days=days)


def _split(org):
    """The cycle's requirements in three audits: context, leadership and planning; support
    and operation of the AI systems; performance evaluation and improvement."""
    clauses = list(requirement_clauses())
    controls = list(applicable_controls(org))

    def chapter(clause) -> int:
        return int(clause.ref.split(".")[0])

    governance_controls = [c for c in controls if c.ref.split(".")[1] in ("2", "3")]
    return (
        ([c for c in clauses if chapter(c) in (4, 5, 6)], governance_controls),
        (
            [c for c in clauses if chapter(c) in (7, 8)],
            [c for c in controls if c not in governance_controls],
        ),
        ([c for c in clauses if chapter(c) in (9, 10)], []),
    )


def _carry_out(audit: Audit, *, actor, on: dt.date, conclusion: str, evidence) -> Audit:
    services.start_audit(audit, actor=actor, on=on)
    for item in audit.items.select_related("clause", "control").order_by("position"):
        result, notes, sampled = FINDINGS.get(item.ref, (Result.CONFORMING, CONFORMING, ""))
        services.record_result(
            item,
            actor=actor,
            result=result,
            notes=notes,
            evidence_sampled=sampled,
            evidence=evidence if item.ref in ("A.2.2", "A.6.2.4", "A.7.4") else None,
            on=on,
        )
    return services.complete_audit(
        audit, actor=actor, conclusion=conclusion, on=on + dt.timedelta(days=3)
    )


def _close_minor(item, *, people, on: dt.date) -> None:
    """The minor finding's nonconformity: an action done, found effective by someone who owns
    none of its actions, closed."""
    priya, morgan = people["priya.shah"], people["demo"]
    nc, _ = services.raise_from_item(item, actor=people["ines.moreau"], on=on)
    action = nonconformities.add_action(
        nc,
        actor=priya,
        title="Hold the annual AI policy review and put it on the committee's calendar",
        owner=priya,
        due_date=_day(on, 45),
        description="Review the policy against this year's changes (the EU AI Act, the CV "
        "screening model) and schedule the review every January from now on.",
        today=on,
    )
    nonconformities.complete_action(
        action,
        actor=priya,
        note="Reviewed at the committee of the following month; version 1.1 approved and the "
        "January review added to the committee's calendar.",
        done_on=_day(on, 30),
    )
    nonconformities.review_effectiveness(
        nc,
        actor=morgan,
        verdict=Verdict.EFFECTIVE,
        evidence="Policy v1.1 and the committee minute approving it; the review is on the "
        "calendar for January with an owner.",
        reviewed_on=_day(on, 60),
    )
    nonconformities.close_nonconformity(nc, actor=priya, today=_day(on, 60))


def _treat_major(item, *, people, today) -> None:
    """The major finding's nonconformity stays open, with a corrective action under way."""
    priya = people["priya.shah"]
    nc = item.nonconformity
    nonconformities.add_action(
        nc,
        actor=priya,
        title="Train two risk analysts to review model validation",
        owner=priya,
        due_date=_day(today, 45),
        description="An external course on model validation and fairness testing, then a "
        "supervised review of the CV screening model's validation.",
        today=today,
    )


def load(org, *, people, systems, risks, today) -> None:
    ines, morgan, tom = people["ines.moreau"], people["demo"], people["tom.becker"]
    priya = people["priya.shah"]
    last = services.save_programme(
        AuditProgramme(
            organization=org,
            title="Cycle 2025–26",
            starts_on=_day(today, -425),
            ends_on=_day(today, -61),
            objectives=OBJECTIVES,
            criteria=CRITERIA,
            method=METHOD,
            owner=ines,
        ),
        actor=ines,
    )
    evidence = list(Evidence.objects.filter(organization=org).order_by("pk")[:2])
    governance, operation, evaluation = _split(org)
    plans = [
        (
            "Context, leadership and planning",
            "The context analysis, interested parties and scope; leadership, the AI policy and "
            "roles; risk and impact assessment, treatment and the SoA; objectives.",
            governance,
            ines,
            [tom],
            [],
            -330,
            "The AIMS's foundations are in place and used. One minor nonconformity: the AI "
            "policy's annual review did not happen. One observation on the context analysis.",
        ),
        (
            "Support and operation of the AI systems",
            "Resources, competence, awareness, communication and documents; the operation of "
            "the three AI systems from data to monitoring, sampled end to end.",
            operation,
            ines,
            [morgan],
            list(systems.values()),
            -220,
            "Operation is controlled for the credit scoring model and the assistant; the CV "
            "screening model is not live. One major nonconformity: the second line cannot "
            "challenge model validation. An observation on log retention and an opportunity "
            "to structure the reasons for overriding the score.",
        ),
        (
            "Performance evaluation and improvement",
            "Monitoring and KPIs, internal audit, management review, nonconformities and "
            "continual improvement.",
            evaluation,
            morgan,
            [],
            [],
            -120,
            "Performance is monitored and findings are followed up to closure. One observation: "
            "nobody analyses the KPIs between committee meetings.",
        ),
    ]
    for title, scope, (clauses, controls), lead, team, sampled, offset, conclusion in plans:
        audit = services.save_audit(
            Audit(
                organization=org,
                programme=last,
                title=title,
                scope=scope,
                planned_start=_day(today, offset),
                planned_end=_day(today, offset + 3),
                lead_auditor=lead,
                processes="Interviews with the owners; samples of the registers and of one "
                "decision per AI system in scope.",
            ),
            actor=ines,
            team=team,
            clauses=clauses,
            controls=controls,
            systems=sampled,
        )
        _carry_out(
            audit, actor=lead, on=_day(today, offset), conclusion=conclusion, evidence=evidence
        )
        for item in audit.items.select_related("clause", "control", "nonconformity"):
            if item.result == Result.MINOR:
                _close_minor(item, people=people, on=_day(today, offset + 3))
            elif item.result == Result.MAJOR:
                _treat_major(item, people=people, today=today)
            elif item.result == Result.IMPROVEMENT:
                services.improvement_from_item(item, actor=lead)

    current = services.save_programme(
        AuditProgramme(
            organization=org,
            title="Cycle 2026–27",
            starts_on=_day(today, -60),
            ends_on=_day(today, 304),
            objectives=OBJECTIVES,
            criteria=CRITERIA,
            method=METHOD + " This cycle starts with the AI policy, reviewed since the last one.",
            owner=ines,
        ),
        actor=ines,
    )
    services.save_audit(
        Audit(
            organization=org,
            programme=current,
            title="AI policy and objectives",
            scope="The revised AI policy, its review, and the AI objectives that follow from it.",
            planned_start=_day(today, 10),
            planned_end=_day(today, 12),
            lead_auditor=ines,
        ),
        actor=priya,
        team=[tom],
        clauses=[c for c in requirement_clauses() if c.ref in ("5.2", "6.2")],
        controls=[c for c in applicable_controls(org) if c.ref.startswith("A.2.")],
    )
