"""Northwind Credit's AIMS roles, its RACI matrix and six months of governance committee work,
created through the leadership services like real use."""

from __future__ import annotations

import datetime as dt

from aims.catalog.models import Clause, Control
from aims.leadership.models import (
    ActionStatus,
    Activity,
    AIMSRole,
    CommitteeAction,
    Decision,
    Meeting,
    MeetingStatus,
)
from aims.leadership.services import (
    save_action,
    save_decision,
    save_meeting,
    save_role,
    set_cell,
)

ROLES = [
    # key, name, holder, description, responsibilities, authorities, clauses, controls
    (
        "lead",
        "AI governance lead",
        "priya.shah",
        "Runs the AI management system day to day.",
        "Keeps the AIMS working: the risk register, the Statement of Applicability, the "
        "document set and the committee's agenda. Reports to the accountable executive on "
        "performance, incidents and overdue actions.",
        "May stop a deployment that misses its gates until the committee decides. Approves "
        "changes to AIMS procedures.",
        ["5.3", "6.1.2"],
        ["A.3.2"],
    ),
    (
        "model_owner",
        "Model owner: credit scoring",
        "tom.becker",
        "Owns the credit scoring model from design to retirement.",
        "Builds, validates and monitors the model; keeps its model card and validation "
        "evidence current; raises drift and fairness findings with the governance lead.",
        "May roll the model back to its previous version when monitoring shows harm.",
        ["8.1"],
        ["A.3.2", "A.6.2.4"],
    ),
    (
        "executive",
        "Accountable executive (CFO)",
        "daniel.okafor",
        "The member of top management who answers for the AIMS.",
        "Sets direction for AI use, approves the AI policy, accepts risks above appetite and "
        "chairs the governance committee.",
        "Final say on deploying high-risk AI systems and on accepting residual risk.",
        ["5.1", "5.3"],
        ["A.3.2"],
    ),
    (
        "audit",
        "Internal audit",
        "ines.moreau",
        "Independent assurance over the AIMS.",
        "Plans and performs internal audits of the AIMS and reports findings to the committee.",
        "Unrestricted read access to AIMS records; may escalate findings to the board.",
        ["9.2"],
        ["A.3.2"],
    ),
    (
        "dpo",
        "Data protection officer",
        "demo",
        "Advises on personal data used by AI systems.",
        "Reviews impact assessments and data sources for personal data; advises on the "
        "information given to applicants and customers.",
        "May require a data protection impact assessment before a system is built.",
        ["5.3"],
        ["A.3.2"],
    ),
]

# Activity -> {role key: letter}; "Manage AI suppliers" is left without an Accountable on
# purpose, so the matrix shows a flagged row.
RACI = {
    "Set the AI policy": {"executive": "A", "lead": "R", "dpo": "C", "audit": "I"},
    "Approve AI systems for deployment": {
        "executive": "A",
        "lead": "R",
        "model_owner": "C",
        "dpo": "C",
        "audit": "I",
    },
    "Assess AI risks": {"lead": "A", "model_owner": "R", "dpo": "C", "audit": "I"},
    "Run AI system impact assessments": {
        "lead": "A",
        "model_owner": "R",
        "dpo": "C",
        "executive": "I",
    },
    "Validate models": {"model_owner": "A", "lead": "C", "audit": "I"},
    "Monitor models in operation": {"model_owner": "A", "lead": "I"},
    "Handle AI incidents": {"lead": "A", "model_owner": "R", "dpo": "C", "executive": "I"},
    "Manage AI suppliers": {"lead": "R", "model_owner": "C", "dpo": "C"},
    "Run internal audits": {"executive": "A", "audit": "R", "lead": "C"},
    "Hold the management review": {
        "executive": "A",
        "lead": "R",
        "audit": "C",
        "model_owner": "I",
    },
    "Train and build competence": {"lead": "A", "dpo": "C", "model_owner": "I"},
    "Communicate about the AIMS": {"executive": "A", "lead": "R", "dpo": "C"},
}


def _roles(org, people) -> dict[str, AIMSRole]:
    manager = people["priya.shah"]
    made = {}
    for key, name, holder, description, duties, authority, clauses, controls in ROLES:
        made[key] = save_role(
            AIMSRole(
                organization=org,
                name=name,
                description=description,
                responsibilities=duties,
                authorities=authority,
            ),
            actor=manager,
            holders=[people[holder]],
            clauses=Clause.objects.filter(ref__in=clauses),
            controls=Control.objects.filter(ref__in=controls),
        )
    return made


def _raci(org, roles, people) -> None:
    manager = people["priya.shah"]
    activities = {a.name: a for a in Activity.objects.for_org(org)}
    for name, letters in RACI.items():
        activity = activities.get(name)
        if activity is None:
            continue
        for key, letter in letters.items():
            set_cell(activity, actor=manager, letter=letter, role=roles[key])
    # One activity rests with a person as well as roles.
    monitoring = activities.get("Monitor models in operation")
    if monitoring is not None:
        set_cell(monitoring, actor=manager, letter="R", person=people["tom.becker"])


def _meeting(org, *, actor, date, title, attendees, agenda, minutes) -> Meeting:
    return save_meeting(
        Meeting(
            organization=org,
            title=title,
            date=date,
            status=MeetingStatus.HELD,
            agenda=agenda,
            minutes=minutes,
        ),
        actor=actor,
        attendees=attendees,
        today=date,
    )


def _decide(meeting, *, actor, text, system=None, risk=None, reference="") -> Decision:
    return save_decision(
        Decision(
            organization=meeting.organization,
            meeting=meeting,
            text=text,
            system=system,
            risk=risk,
            reference=reference,
        ),
        actor=actor,
    )


def _act(meeting, *, actor, title, owner, due, done_on=None) -> CommitteeAction:
    action = save_action(
        CommitteeAction(
            organization=meeting.organization,
            meeting=meeting,
            title=title,
            owner=owner,
            due_date=due,
        ),
        actor=actor,
        today=meeting.date,  # recorded at the meeting, when the due date lay ahead
    )
    if done_on is not None:
        action.status, action.done_on = ActionStatus.DONE, done_on
        save_action(action, actor=owner, today=done_on)
    return action


def load(org, *, people, systems, risks, today) -> None:
    if AIMSRole.objects.filter(organization=org).exists():
        return
    manager, cfo = people["priya.shah"], people["daniel.okafor"]
    tom, ines, owner = people["tom.becker"], people["ines.moreau"], people["demo"]
    roles = _roles(org, people)
    _raci(org, roles, people)
    credit, chat = systems.get("credit"), systems.get("chat")
    first_risk = risks[0] if risks else None

    first = _meeting(
        org,
        actor=manager,
        date=today - dt.timedelta(days=160),
        title="AI governance committee: launch of the AIMS",
        attendees=[cfo, manager, tom, owner],
        agenda="1. Scope of the AIMS and the AI policy draft\n2. Roles and the RACI matrix\n"
        "3. Inventory of AI systems in use\n4. Risk appetite",
        minutes="Daniel opened the first meeting and confirmed that the AIMS covers every AI "
        "system used in lending and customer service. Priya presented the draft AI policy; "
        "the committee asked for a clearer statement on human review of declined "
        "applications. The roles were agreed as listed on the roles page. Tom walked through "
        "the three AI systems in use. The committee set the risk appetite at medium.",
    )
    _decide(
        first,
        actor=manager,
        text="The AIMS covers all AI systems used in lending and "
        "customer service, including third-party models.",
        reference="AI policy draft v0.3",
    )
    _decide(
        first,
        actor=manager,
        text="The risk appetite is medium; anything above needs an acceptance signed by the CFO.",
    )
    _act(
        first,
        actor=manager,
        title="Revise the AI policy on human review of declines",
        owner=manager,
        due=first.date + dt.timedelta(days=30),
        done_on=first.date + dt.timedelta(days=21),
    )
    _act(
        first,
        actor=manager,
        title="Publish the roles and RACI matrix to all staff",
        owner=owner,
        due=first.date + dt.timedelta(days=14),
        done_on=first.date + dt.timedelta(days=9),
    )

    second = _meeting(
        org,
        actor=manager,
        date=today - dt.timedelta(days=85),
        title="AI governance committee: credit scoring deployment",
        attendees=[cfo, manager, tom, ines],
        agenda="1. Credit scoring model: validation and fairness results\n"
        "2. Risks above appetite\n3. Internal audit plan",
        minutes="Tom presented the validation of the credit scoring model, including the "
        "fairness checks across age bands and sex. The gap in approval rates is within the "
        "agreed threshold. Ines raised that monitoring after launch relies on one person. "
        "The committee approved deployment with conditions, recorded below. Ines presented "
        "the internal audit plan for the year; it was accepted.",
    )
    _decide(
        second,
        actor=manager,
        text="Approve the credit scoring model for deployment, on "
        "condition that fairness checks run monthly and results come to this committee.",
        system=credit,
        risk=first_risk,
    )
    _decide(
        second,
        actor=manager,
        text="Adopt the internal audit plan as presented.",
        reference="Internal audit plan, year 1",
    )
    _act(
        second,
        actor=manager,
        title="Name a deputy for model monitoring",
        owner=tom,
        due=second.date + dt.timedelta(days=30),
        done_on=second.date + dt.timedelta(days=25),
    )

    third = _meeting(
        org,
        actor=manager,
        date=today - dt.timedelta(days=25),
        title="AI governance committee: customer-service assistant",
        attendees=[cfo, manager, tom],
        agenda="1. Customer-service assistant: supplier review\n2. Monitoring results\n"
        "3. Open actions",
        minutes="Priya reported that the provider of the language model behind the "
        "customer-service assistant changed its terms on data retention. No one is yet "
        "accountable for supplier oversight in the RACI matrix; the committee asked Priya to "
        "propose who should be. Monthly fairness checks on credit scoring were within "
        "threshold.",
    )
    _decide(
        third,
        actor=manager,
        text="Keep the assistant in service while the supplier's new "
        "data retention terms are reviewed; no customer data beyond the conversation is "
        "sent to the provider.",
        system=chat,
    )
    _act(
        third,
        actor=manager,
        title="Review the LLM provider's new data retention terms",
        owner=owner,
        due=third.date + dt.timedelta(days=10),
    )  # overdue now
    _act(
        third,
        actor=manager,
        title="Propose who is accountable for managing AI suppliers",
        owner=manager,
        due=today + dt.timedelta(days=20),
    )
