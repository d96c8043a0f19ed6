"""A risk owner accepting their own critical risk: warned before, in words, and the acceptance
record says so (its authority, the change trail, the risk page and the API)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from helpers import ApiClient

from aims.risk import services
from aims.risk.models import Risk, RiskAcceptance
from aims.trail.models import Action, AuditEvent

IN_90_DAYS = timezone.localdate() + dt.timedelta(days=90)
WARNING = "You own this risk, and it is critical."


def make_risk(world, likelihood=5, impact=4, owner=None):
    return services.save_risk(
        Risk(
            organization=world.org,
            title="Unfair refusals",
            category="fairness",
            inherent_likelihood=likelihood,
            inherent_impact=impact,
            owner=owner,
        ),
        actor=world.owner,
    )


def accept_url(world, risk):
    return reverse("risk_accept", kwargs={"org": world.org.slug, "risk_id": risk.pk})


def accept(world, user, risk):
    return world.client(user).post(
        accept_url(world, risk),
        {"rationale": "Launch needs it; monitored weekly", "expires_on": IN_90_DAYS.isoformat()},
    )


def test_the_owner_of_a_critical_risk_is_warned_before_accepting_it(world):
    risk = make_risk(world, owner=world.manager)  # 20: critical
    page = world.client(world.manager).get(accept_url(world, risk)).content.decode()
    assert WARNING in page
    assert "recorded as a self-acceptance" in page
    assert "Record my own acceptance" in page
    assert not RiskAcceptance.objects.exists()


def test_no_warning_for_someone_else_or_for_a_risk_that_is_not_critical(world):
    critical = make_risk(world, owner=world.manager)
    assert (
        WARNING not in world.client(world.owner).get(accept_url(world, critical)).content.decode()
    )
    high = make_risk(world, likelihood=4, impact=3, owner=world.manager)  # 12: high
    assert high.is_above_appetite()
    assert WARNING not in world.client(world.manager).get(accept_url(world, high)).content.decode()
    nobody = make_risk(world)
    assert (
        WARNING not in world.client(world.manager).get(accept_url(world, nobody)).content.decode()
    )


def test_the_acceptance_of_ones_own_critical_risk_says_so(world):
    risk = make_risk(world, owner=world.manager)
    response = accept(world, world.manager, risk)
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert acceptance.authority == "AIMS Manager; risk owner accepting their own critical risk"
    assert services.was_self_accepted(acceptance)
    event = AuditEvent.objects.for_record(risk).get(action=Action.DECISION)
    assert event.changes["acceptance"][1]["self_accepted"] is True
    assert event.note.startswith("Self-acceptance: the owner of this critical risk accepted it.")
    detail = world.client(world.auditor).get(
        reverse("risk_detail", kwargs={"org": world.org.slug, "risk_id": risk.pk})
    )
    html = detail.content.decode()
    assert "Self-accepted" in html
    assert "no one independent of the risk has decided on it" in html


def test_an_acceptance_by_someone_else_is_not_a_self_acceptance(world):
    risk = make_risk(world, owner=world.manager)
    assert accept(world, world.owner, risk).status_code == 302
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert acceptance.authority == "Owner and Top management"
    assert not services.was_self_accepted(acceptance)
    event = AuditEvent.objects.for_record(risk).get(action=Action.DECISION)
    assert "self_accepted" not in event.changes["acceptance"][1]
    html = world.client(world.auditor).get(
        reverse("risk_detail", kwargs={"org": world.org.slug, "risk_id": risk.pk})
    )
    assert "Self-accepted" not in html.content.decode()


def test_the_api_says_whether_an_acceptance_was_the_owners_own(world):
    mine = make_risk(world, owner=world.top_manager)
    theirs = make_risk(world, owner=world.manager)
    api = ApiClient.for_member(world.top_manager, world.org)
    body = {"rationale": "Board decision", "expires_on": IN_90_DAYS.isoformat()}
    response = api.post(f"/api/v1/risks/{mine.ref}/acceptances", body)
    assert response.status_code == 201, response.content
    assert response.json()["self_accepted"] is True
    assert response.json()["authority"].endswith("risk owner accepting their own critical risk")
    other = api.post(f"/api/v1/risks/{theirs.ref}/acceptances", body)
    assert other.json()["self_accepted"] is False
    read = api.get(f"/api/v1/risks/{mine.ref}").json()
    assert [a["self_accepted"] for a in read["acceptances"]] == [True]
