"""The demo organization's incidents and concerns: the customer service assistant gave a
customer a wrong repayment amount (handled, resolved, root cause found); a member of staff
raised an anonymous concern about the CV screening model; the public link stays off."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from aims.incidents import services
from aims.incidents.models import Audience, Incident, Severity


def _at(today, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    day = today - dt.timedelta(days=days_ago)
    moment = dt.datetime(day.year, day.month, day.day, hour, minute)
    return min(timezone.make_aware(moment), timezone.now())


def load(org, *, people, systems, risks, today) -> None:
    chat = systems["chat"]
    tom, priya = people["tom.becker"], people["priya.shah"]
    chat_risks = [r for r in risks if chat in r.systems.all()][:1]
    incident = services.save_incident(
        Incident(
            organization=org,
            system=chat,
            title="Assistant quoted a wrong early repayment amount",
            what_happened="A customer asked the assistant how much it would cost to repay her "
            "personal loan early. The assistant quoted a settlement figure £412 lower than the "
            "real one, taken from a help-centre article about a product withdrawn in 2023. The "
            "customer complained when the settlement letter arrived.",
            harm="One customer planned her finances on a wrong figure; no money was lost. A "
            "search of the logs found 6 other conversations with the same answer.",
            persons_affected=7,
            severity=Severity.MEDIUM,
            occurred_at=_at(today, 24, 14, 5),
            became_aware_at=_at(today, 21, 9, 40),
            owner=tom,
            containment_actions="Early repayment questions routed to an agent; the withdrawn "
            "article removed from the retrieval index the same day.",
            root_cause="The nightly index rebuild included archived help-centre articles: the "
            "archive flag was not passed to the indexer after its upgrade in March.",
            corrective_actions="Indexer fixed to skip archived articles, with a test in the "
            "rebuild pipeline; the assistant now gives no figures for settlements and hands "
            "over to an agent; the 7 customers were called back.",
            contained_at=_at(today, 21, 13, 0),
            resolved_at=_at(today, 14, 17, 30),
        ),
        actor=tom,
        risks=chat_risks,
    )
    for days_ago, hour, what, who in [
        (21, 9, "Complaint received by the contact centre and passed to the system owner.", tom),
        (21, 13, "Early repayment questions routed to agents; archived article de-indexed.", tom),
        (19, 16, "Log search: 6 more conversations with the same wrong figure found.", tom),
        (14, 17, "Indexer fix deployed and verified on the staging index.", tom),
    ]:
        services.add_timeline_entry(incident, actor=who, when=_at(today, days_ago, hour), what=what)
    services.log_communication(
        incident,
        actor=tom,
        when=_at(today, 18, 11, 0),
        audience=Audience.CUSTOMER,
        channel="Phone call, confirmed by letter",
        summary="Each of the 7 customers was told the correct settlement figure, with an "
        "apology; none had acted on the wrong one.",
    )
    services.log_communication(
        incident,
        actor=priya,
        when=_at(today, 17, 10, 0),
        audience=Audience.INTERNAL,
        channel="Risk committee",
        summary="Incident, root cause and corrective actions presented to the credit risk "
        "committee.",
    )
    services.transition(incident, "contained", actor=tom)
    services.transition(incident, "resolved", actor=tom)

    services.raise_concern(
        org,
        actor=people["tom.becker"],
        anonymous=True,
        system=systems["cv"],
        text="In the pilot, the CV screening model seems to rank down applicants with a gap of "
        "more than a year in their career. Several of them were returning parents. Has anyone "
        "checked whether this disadvantages women?",
    )
    services.set_intake(org, actor=priya, enabled=False)
