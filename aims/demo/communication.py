"""Northwind Credit's communication plan and what it has communicated.

The customer-facing transparency notice is overdue: its yearly review was due last month."""

from __future__ import annotations

import datetime as dt

from aims.catalog.models import Clause, Control
from aims.communication.models import AudienceKind, Channel, Communication, Frequency, PlanEntry
from aims.communication.services import log_communication, save_plan_entry

# key, topic, description, frequency, next due (days from today), internal/external, audience,
# channel, communicator, controls
PLAN = [
    (
        "board",
        "Quarterly AIMS report to the board",
        "Objectives and KPIs, risks above appetite, incidents, audit findings and decisions "
        "needed from the board.",
        Frequency.QUARTERLY,
        None,  # set by the last report logged below
        AudienceKind.INTERNAL,
        "Board of directors and the executive committee",
        Channel.REPORT,
        "priya.shah",
        [],
    ),
    (
        "awareness",
        "Annual AI policy awareness campaign",
        "Intranet article, e-learning reminder and a short talk at the all-hands: what the AI "
        "policy asks of everyone and how to report an AI incident.",
        Frequency.YEARLY,
        95,
        AudienceKind.INTERNAL,
        "All employees",
        Channel.INTRANET,
        "priya.shah",
        ["A.2.2"],
    ),
    (
        "model-change",
        "Model change notices to underwriting",
        "Before a new version of the credit scoring model goes live: what changed, expected "
        "effect on approval rates, and what underwriters should watch for.",
        Frequency.ON_EVENT,
        None,
        AudienceKind.INTERNAL,
        "Underwriting team leads",
        Channel.EMAIL,
        "tom.becker",
        ["A.6.2.6"],
    ),
    (
        "transparency",
        "Customer-facing AI transparency notice on the website",
        "Explains where AI supports decisions on loan applications and in the customer "
        "assistant, and how to ask for a human review.",
        Frequency.YEARLY,
        -25,
        AudienceKind.EXTERNAL,
        "Customers and applicants",
        Channel.WEBSITE,
        "priya.shah",
        ["A.8.2", "A.8.5"],
    ),
    (
        "regulator",
        "Annual AI summary for the banking supervisor",
        "Inventory of AI systems used in credit decisions, their risk classification and the "
        "results of validation.",
        Frequency.YEARLY,
        160,
        AudienceKind.EXTERNAL,
        "National banking supervisor",
        Channel.REPORT,
        "demo",
        ["A.8.3"],
    ),
    (
        "monthly-ops",
        "Monthly model monitoring digest",
        "Drift, fairness and data quality checks of the month, with alerts and what was done.",
        Frequency.MONTHLY,
        None,  # set by the last digest logged below
        AudienceKind.INTERNAL,
        "Risk committee and model owners",
        Channel.EMAIL,
        "tom.becker",
        [],
    ),
]


def load(org, *, people, systems, risks, today) -> None:
    manager = people["priya.shah"]
    clause_74 = list(Clause.objects.filter(ref="7.4"))
    controls = {c.ref: c for c in Control.objects.all()}
    entries = {}
    for key, topic, description, frequency, due_in, kind, audience, channel, who, refs in PLAN:
        entries[key] = save_plan_entry(
            PlanEntry(
                organization=org,
                topic=topic,
                description=description,
                frequency=frequency,
                next_due=today + dt.timedelta(days=due_in) if due_in is not None else None,
                audience_kind=kind,
                audience=audience,
                channel=channel,
                communicator=people[who],
            ),
            actor=manager,
            clauses=clause_74,
            controls=[controls[r] for r in refs if r in controls],
        )

    def logged(days_ago, summary, audience, channel, who, entry=None):
        log_communication(
            Communication(
                organization=org,
                communicated_on=today - dt.timedelta(days=days_ago),
                summary=summary,
                audience=audience,
                channel=channel,
                communicated_by=people[who],
                plan_entry=entries[entry] if entry else None,
            ),
            actor=manager,
            today=today,
        )

    board = "Board of directors and the executive committee"
    logged(
        150,
        "AIMS report Q3: scope confirmed, first risk assessment of credit scoring, two risks "
        "above appetite accepted by the CFO.",
        board,
        Channel.REPORT,
        "priya.shah",
        "board",
    )
    logged(
        60,
        "AIMS report Q4: fairness checks passed before deployment, SoA half decided, internal "
        "audit planned.",
        board,
        Channel.REPORT,
        "priya.shah",
        "board",
    )
    logged(
        270,
        "AI policy awareness campaign: intranet article and all-hands talk; e-learning "
        "assigned to all staff.",
        "All employees",
        Channel.INTRANET,
        "priya.shah",
    )
    logged(
        45,
        "Credit scoring v2.3: new income verification feature; approval rate expected to move "
        "less than one point.",
        "Underwriting team leads",
        Channel.EMAIL,
        "tom.becker",
        "model-change",
    )
    logged(
        20,
        "Monitoring digest: no drift alert; age-band parity within threshold.",
        "Risk committee and model owners",
        Channel.EMAIL,
        "tom.becker",
        "monthly-ops",
    )
    logged(
        12,
        "Briefing to customer service on what the assistant may and may not answer about "
        "credit decisions.",
        "Customer service team",
        Channel.MEETING,
        "priya.shah",
    )
