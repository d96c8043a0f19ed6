"""The demo organization's continual improvement (10.1): five improvements from an incident, a
retrospective, a member's suggestion and a nonconformity (one done with its outcome measured,
one rejected with the reason), and three lessons learned. The internal audit and the management
review add theirs (aims/demo/audits.py, aims/demo/reviews.py)."""

from __future__ import annotations

import datetime as dt

from aims.improvement import services
from aims.improvement.models import LessonSource, Source, Status
from aims.incidents.models import Incident
from aims.nonconformities.models import Nonconformity
from aims.nonconformities.models import Source as NCSource


def _ago(today, days: int) -> dt.date:
    return today - dt.timedelta(days=days)


def load(org, *, people, systems, risks, today) -> None:
    tom, priya, ines = people["tom.becker"], people["priya.shah"], people["ines.moreau"]
    incident = Incident.objects.filter(organization=org).order_by("pk").first()
    from_concern = (
        Nonconformity.objects.filter(organization=org, source=NCSource.CONCERN)
        .order_by("pk")
        .first()
    )
    from_incident = (
        Nonconformity.objects.filter(organization=org, source=NCSource.INCIDENT)
        .order_by("pk")
        .first()
    )

    expiry = services.add_improvement(
        org,
        title="Give every help-centre article an expiry date the assistant respects",
        description="Articles about withdrawn products stay in the help centre for reference. "
        "An expiry date on each article, read by the indexer, would keep expired ones out of the "
        "assistant's answers whatever the archive flag says.",
        source=Source.INCIDENT,
        actor=tom,
        owner=tom,
        incident=incident,
        system=systems["chat"],
    )
    services.move(expiry, Status.PLANNED, actor=priya)
    services.move(expiry, Status.IN_PROGRESS, actor=tom)
    services.move(
        expiry,
        Status.DONE,
        actor=tom,
        outcome="All 1,240 articles now carry an expiry date; the indexer skips expired ones.",
        outcome_measure="Index audit after each nightly rebuild: expired articles found in the "
        "index (target 0); share of settlement questions handed over to an agent (target 100%).",
        outcome_measured_on=_ago(today, 2),
    )

    shadow = services.add_improvement(
        org,
        title="Shadow-run each credit model update for two weeks before switching",
        description="The v3.2 release retrospective found the validation log alone did not show "
        "how the new model behaves on live applications. Running the new model beside the "
        "current one, without acting on it, would.",
        source=Source.RETROSPECTIVE,
        source_reference="Credit scoring v3.2 release retrospective",
        actor=priya,
        owner=tom,
        due_date=today + dt.timedelta(days=45),
        system=systems["credit"],
    )
    services.move(shadow, Status.IN_PROGRESS, actor=tom)

    services.add_improvement(
        org,
        title="Plain-language letter explaining a declined application",
        description="Applicants who are declined get a letter listing reason codes. A letter in "
        "plain words, naming the main factors and how to ask for a human review, would answer "
        "most of the calls the contact centre receives after a decline.",
        source=Source.SUGGESTION,
        actor=ines,
        system=systems["credit"],
    )

    if from_concern is not None:
        parity = services.add_improvement(
            org,
            title="Proxy review in every fairness validation",
            description="The CV screening validation missed career gaps as a proxy. A standard "
            "step in every fairness validation, listing candidate proxies with the people who "
            "know the domain (recruiters, credit officers), would catch such gaps before a "
            "pilot.",
            source=Source.NONCONFORMITY,
            actor=priya,
            owner=priya,
            due_date=today + dt.timedelta(days=30),
            nonconformity=from_concern,
        )
        services.move(parity, Status.PLANNED, actor=priya)

    quote = services.add_improvement(
        org,
        title="Let the assistant quote settlement figures again",
        description="Now that the index is fixed, the assistant could quote early repayment "
        "figures again instead of handing over to an agent.",
        source=Source.SUGGESTION,
        actor=tom,
        system=systems["chat"],
    )
    services.move(
        quote,
        Status.REJECTED,
        actor=priya,
        reason="A settlement figure is a binding offer: it must come from the loan system, not "
        "from a language model. Agents keep answering these.",
    )

    services.add_lesson(
        org,
        actor=tom,
        title="A library upgrade can change what a retrieval index holds",
        what_happened="An indexer upgrade silently dropped the archive flag; withdrawn articles "
        "came back into the assistant's answers.",
        lesson="Verify the contents of the index, not only the code, after any change to the "
        "retrieval pipeline.",
        source=LessonSource.INCIDENT,
        incident=incident,
        nonconformity=from_incident,
        improvement=expiry,
        recorded_on=_ago(today, 10),
    )
    services.add_lesson(
        org,
        actor=priya,
        title="Validation data does not show how a model meets live applications",
        what_happened="The v3.2 credit model passed validation, yet its approval rates shifted "
        "for self-employed applicants in its first live month.",
        lesson="Compare a new model with the current one on live traffic before switching.",
        source=LessonSource.RETROSPECTIVE,
        source_reference="Credit scoring v3.2 release retrospective",
        improvement=shadow,
        recorded_on=_ago(today, 40),
    )
    services.add_lesson(
        org,
        actor=priya,
        title="Anonymous concerns reach us earlier than complaints",
        what_happened="A member of staff raised an anonymous concern about career gaps in the CV "
        "screening pilot before any applicant complained.",
        lesson="Keep the anonymous channel visible in the staff induction; it is how fairness "
        "questions arrive first.",
        source=LessonSource.OTHER,
        source_reference="Concern about career gaps in the CV screening pilot",
        recorded_on=_ago(today, 15),
    )
