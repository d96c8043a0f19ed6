"""The demo organization's nonconformities (10.2):

* one closed: raised from the assistant's wrong-repayment incident, with its five whys, two
  corrective actions done and an effectiveness review by the AIMS manager, who owns neither;
* one open, major, from the anonymous concern about the CV screening pilot, contained, with a
  corrective action under way (the demo has no failed check run; one would raise its own);
* one raised by hand whose corrective action is overdue.

The internal audit's findings add theirs (aims/demo/audits.py).
"""

from __future__ import annotations

import datetime as dt

from aims.incidents.models import Concern, Incident
from aims.nonconformities import services
from aims.nonconformities.models import Nonconformity, Severity, Source


def _ago(today, days: int) -> dt.date:
    return today - dt.timedelta(days=days)


def _from_incident(org, *, people, today) -> Nonconformity | None:
    incident = Incident.objects.filter(organization=org).order_by("pk").first()
    if incident is None:
        return None
    tom, priya = people["tom.becker"], people["priya.shah"]
    nc = services.raise_nonconformity(
        org,
        title="Retrieval index not verified after the indexer upgrade",
        description="After the indexer upgrade in March, nobody checked which articles the "
        "assistant's retrieval index held. Archived help-centre articles came back into it, and "
        "the assistant quoted a withdrawn product's settlement figures (incident "
        f"{incident.ref}). Changes to the assistant's data pipeline must be verified before "
        "release (8.1; A.6.2.6).",
        source=Source.INCIDENT,
        severity=Severity.MINOR,
        actor=priya,
        owner=tom,
        system=incident.system,
        incident=incident,
        clauses=["8.1"],
        controls=["A.6.2.6"],
        raised_on=_ago(today, 20),
    )
    nc.containment = (
        "Early repayment questions routed to agents and the archived article removed from "
        "the index on the day the complaint arrived; the 7 customers affected were called back."
    )
    nc.whys = [
        {
            "why": "Why did the assistant quote a wrong settlement figure?",
            "because": "It retrieved an article about a product withdrawn in 2023.",
        },
        {
            "why": "Why was a withdrawn product's article in the index?",
            "because": "The nightly rebuild indexed archived articles too.",
        },
        {
            "why": "Why did the rebuild index archived articles?",
            "because": "The archive flag was not passed to the indexer after its upgrade.",
        },
        {
            "why": "Why was that not noticed before release?",
            "because": "The upgrade was treated as a library update: no test compared the "
            "index contents before and after.",
        },
    ]
    nc.root_cause = (
        "Changes to the assistant's retrieval pipeline were released without verifying what "
        "the index contains; library upgrades bypassed the release checklist."
    )
    nc.similar_elsewhere = (
        "The CV screening model's feature pipeline has the same kind of dependency upgrades: "
        "checked, its release checklist already compares feature statistics."
    )
    services.update_nonconformity(nc, actor=priya)
    first = services.add_action(
        nc,
        actor=priya,
        title="Test in the rebuild pipeline that no archived article is indexed",
        owner=tom,
        due_date=_ago(today, 12),
        today=_ago(today, 19),
    )
    second = services.add_action(
        nc,
        actor=priya,
        title="Put library upgrades of the assistant's pipeline on the release checklist",
        owner=tom,
        due_date=_ago(today, 8),
        today=_ago(today, 19),
    )
    services.complete_action(
        first,
        actor=tom,
        note="Test added; it fails the rebuild when an archived article is found.",
        done_on=_ago(today, 14),
    )
    services.complete_action(
        second,
        actor=tom,
        note="Checklist item added; the next two upgrades went through it.",
        done_on=_ago(today, 9),
    )
    services.review_effectiveness(
        nc,
        actor=priya,
        verdict="effective",
        evidence="Eight nightly rebuilds since: the test ran each time and found no archived "
        "article; a sample of 50 settlement questions was handed over to agents; no complaint "
        "since.",
        reviewed_on=_ago(today, 3),
    )
    services.close_nonconformity(nc, actor=priya, today=_ago(today, 3))
    return nc


def _from_concern(org, *, people, systems, today) -> Nonconformity | None:
    """The anonymous concern about career gaps in the CV screening pilot shows a requirement
    not met: the pilot's validation never looked at career gaps. (The demo has no failed
    check run; a failed run would open its nonconformity on its own, hook ``run_recorded``.)"""
    concern = Concern.objects.filter(organization=org).order_by("pk").first()
    tom, priya = people["tom.becker"], people["priya.shah"]
    nc = services.raise_nonconformity(
        org,
        title="CV screening pilot validated without testing career gaps",
        description="The validation of the CV screening model compared outcomes by sex and age "
        "band only. A career gap, common among returning parents, was never tested as a proxy, "
        "though the impact assessment names it as a risk. The pilot ran without the "
        "verification its requirements call for (A.6.2.4; 8.2).",
        source=Source.CONCERN if concern else Source.OTHER,
        severity=Severity.MAJOR,
        actor=priya,
        owner=tom,
        system=systems["cv"],
        concern=concern,
        clauses=["8.2"],
        controls=["A.6.2.4"],
        raised_on=_ago(today, 6),
    )
    nc.containment = (
        "Recruiters read every application whatever its rank until the test is done; the pilot "
        "is not extended to new roles."
    )
    services.update_nonconformity(nc, actor=priya)
    services.add_action(
        nc,
        actor=priya,
        title="Test the ranking for applicants with a career gap of more than a year",
        owner=tom,
        due_date=today + dt.timedelta(days=10),
    )
    return nc


def _with_overdue_action(org, *, people, today) -> Nonconformity:
    priya = people["priya.shah"]
    nc = services.raise_nonconformity(
        org,
        title="Two contact-centre team leads not trained on the assistant's limits",
        description="The two team leads who take over conversations from the customer service "
        "assistant have no record of the training on its limits and hand-over rules that "
        "their role requires (7.2).",
        source=Source.OTHER,
        severity=Severity.MINOR,
        actor=priya,
        owner=priya,
        system=None,
        clauses=["7.2"],
        raised_on=_ago(today, 30),
    )
    nc.containment = "A trained agent reviews the team leads' hand-overs until they are trained."
    nc.root_cause = (
        "The training plan listed roles by job title; the team lead role was created after it "
        "and was never added."
    )
    services.update_nonconformity(nc, actor=priya)
    services.add_action(
        nc,
        actor=priya,
        title="Train both team leads and record it",
        owner=people["tom.becker"],
        due_date=_ago(today, 5),
        today=_ago(today, 29),
    )
    services.add_action(
        nc,
        actor=priya,
        title="Make the training plan follow roles, not job titles",
        owner=priya,
        due_date=today + dt.timedelta(days=20),
        today=_ago(today, 29),
    )
    return nc


def load(org, *, people, systems, risks, today) -> None:
    _from_incident(org, people=people, today=today)
    _from_concern(org, people=people, systems=systems, today=today)
    _with_overdue_action(org, people=people, today=today)
