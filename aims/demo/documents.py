"""Northwind Credit's documents: its AI policy in its second approved version, the governance
charter and the risk procedure approved, the incident procedure in review, a data procedure in
draft, one review overdue and some acknowledgements. Made through the documents' services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.documents.services import (
    acknowledge,
    approve_version,
    create_from_starter,
    save_draft,
    submit_for_review,
    update_document,
)

POLICY_V2_CHANGES = """

## 11. Generative AI

Staff may use generative AI tools only where the AIMS manager has approved the tool for the
task. Customer data, personal data and confidential information are never entered into a tool
that is not approved for them. Text written with the help of such a tool is checked by the
person who sends it, who remains responsible for it.
"""


def _days_ago(today: dt.date, days: int) -> dt.datetime:
    moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(10, 0))
    return timezone.make_aware(moment)


def load(org, *, people, systems, risks, today) -> None:
    manager, cfo, owner = people["priya.shah"], people["daniel.okafor"], people["demo"]
    tom, ines = people["tom.becker"], people["ines.moreau"]

    # The AI policy: version 1 approved by the CFO (top management) a year ago, version 2 with a
    # section on generative AI approved two months ago; both written by the AIMS manager.
    policy = create_from_starter(org, "ai-policy", actor=manager, at=_days_ago(today, 380))
    v1 = policy.latest_version
    submit_for_review(v1, actor=manager, at=_days_ago(today, 372))
    approve_version(v1, actor=cfo, at=_days_ago(today, 365), note="Approved at the board meeting.")
    for person, days in ((cfo, 364), (tom, 350), (ines, 340)):
        acknowledge(v1, actor=person, at=_days_ago(today, days))
    policy.refresh_from_db()
    v2 = save_draft(
        policy,
        actor=manager,
        content=v1.content + POLICY_V2_CHANGES,
        change_note="Adds section 11 on generative AI tools after the chat assistant went live.",
        at=_days_ago(today, 75),
    )
    submit_for_review(v2, actor=manager, at=_days_ago(today, 66))
    approve_version(
        v2, actor=cfo, at=_days_ago(today, 60), note="Generative AI section agreed with legal."
    )
    for person, days in ((manager, 59), (tom, 55)):
        acknowledge(v2, actor=person, at=_days_ago(today, days))

    # The governance charter, approved by the owner.
    charter = create_from_starter(
        org, "ai-governance-charter", actor=manager, at=_days_ago(today, 300)
    )
    submit_for_review(charter.latest_version, actor=manager, at=_days_ago(today, 295))
    approve_version(charter.latest_version, actor=owner, at=_days_ago(today, 290))

    # The risk procedure: approved fourteen months ago on a yearly cycle, so its review is
    # overdue by two months.
    procedure = create_from_starter(
        org, "ai-risk-management", actor=manager, at=_days_ago(today, 440)
    )
    submit_for_review(procedure.latest_version, actor=manager, at=_days_ago(today, 430))
    approve_version(procedure.latest_version, actor=owner, at=_days_ago(today, 425))
    acknowledge(procedure.latest_version, actor=tom, at=_days_ago(today, 420))

    # The incident procedure, written by the data scientist, waiting for approval.
    incidents = create_from_starter(
        org, "ai-incident-response", actor=tom, owner=manager, at=_days_ago(today, 12)
    )
    submit_for_review(incidents.latest_version, actor=tom, at=_days_ago(today, 5))

    # The data procedure: a draft, owned by the data scientist.
    data = create_from_starter(org, "data-management", actor=tom, owner=tom, at=_days_ago(today, 3))
    data.refresh_from_db()
    data.summary = (
        "Where the credit scoring and CV screening data come from, how it is checked and kept."
    )
    update_document(data, actor=tom)
