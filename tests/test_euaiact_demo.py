"""The EU AI Act area's demo content: Northwind Credit's three systems classified with their
reasons and signed, the credit scoring model's records (most obligations met, the right to an
explanation only partly: one request answered late), the CV screening model waiting in
validation, the assistant's Art. 50(1) notice, and the regulatory watch read by the management
reviews."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.utils import timezone

from aims.core.areas import due_items
from aims.demo.loader import load_demo
from aims.euaiact.models import (
    ActProfile,
    Classification,
    ClassificationStatus,
    RecourseRequest,
    RequestKind,
    RequestStatus,
)
from aims.euaiact.obligations import State, obligations_of, summary
from aims.inventory.models import RiskTier, Stage
from aims.reviews.models import ManagementReview

WATCH = "Changes in external issues: laws, regulations and guidance (regulatory watch)"
GUIDELINES = "Commission guidelines on classifying high-risk AI systems"
CODE = "General-purpose AI code of practice"
STANDARD = "Harmonised standard on quality management systems for the AI Act (draft)"


def states(system) -> dict[str, State]:
    return {o.spec.code: o.state for o in obligations_of(system)}


def test_the_three_systems_are_classified_with_their_reasons_and_the_records_the_act_asks(db):
    org, owner, created = load_demo()
    assert created
    systems = {s.slug: s for s in org.ai_systems.all()}
    credit, cv, chat = (
        systems["credit-scoring-model"],
        systems["cv-screening-model"],
        systems["customer-service-assistant"],
    )
    signed = {
        c.system_id: c for c in Classification.objects.filter(organization=org).select_related()
    }
    assert {c.status for c in signed.values()} == {ClassificationStatus.SIGNED}
    assert len(signed) == 3  # one version each, signed

    scoring = signed[credit.pk]
    assert (scoring.tier, scoring.roles, scoring.fria) == (
        RiskTier.HIGH,
        ["provider", "deployer"],
        True,
    )
    assert any(
        r.article == "Annex III point 5(b)" and "creditworthiness" in r.text
        for r in scoring.reason_list()
    )
    assert scoring.prepared_by.username == "priya.shah" and scoring.signed_by == owner
    assert scoring.signer_authority == "Owner and Top management"

    screening = signed[cv.pk]
    assert screening.tier == RiskTier.HIGH and not screening.fria
    assert [r.article for r in screening.reason_list()] == ["Annex III point 4(a)"]
    assert screening.prepared_by.username == "tom.becker"
    assert screening.signed_by.username == "priya.shah"

    assistant = signed[chat.pk]
    assert (assistant.tier, assistant.roles, assistant.duties) == (
        RiskTier.LIMITED,
        ["deployer"],
        ["interaction"],
    )
    assert [r.article for r in assistant.reason_list()] == ["Art. 50(1)"]

    # Each is current: judged on the system as it is, so the gates do not ask for it again.
    for system in (credit, cv, chat):
        assert not signed[system.pk].is_stale(system)
        assert system.risk_tier == signed[system.pk].tier
    assert credit.stage == Stage.OPERATION and chat.stage == Stage.DEPLOYMENT
    result = next(
        r for r in cv.gate(Stage.DEPLOYMENT) if r.requirement.code == "act_classification"
    )
    assert result.met and "Classification 1" in result.detail

    # The credit scoring model: its records meet what they answer; the right to an explanation
    # is only partly met, one request being overdue.
    found = states(credit)
    for code in ("art12", "art14", "art16", "art19", "art26", "art43", "art47", "art48"):
        assert found[code] == State.MET, code
    for code in ("art49", "art72", "art27"):
        assert found[code] == State.MET, code
    assert found["art86"] == State.PARTLY
    assert summary(obligations_of(credit))["partly"] >= 1
    requests = RecourseRequest.objects.filter(system=credit)
    assert sorted(requests.values_list("status", flat=True)) == [
        RequestStatus.ANSWERED,
        RequestStatus.OPEN,
        RequestStatus.OPEN,
    ]
    today = timezone.localdate()
    overdue = requests.overdue(today).get()
    assert overdue.kind == RequestKind.EXPLANATION and overdue.status == RequestStatus.OPEN

    # The CV screening model, in validation: oversight, logs and recourse recorded, the
    # provider's records still to come; the notice to applicants is missing.
    found = states(cv)
    assert {found[c] for c in ("art14", "art19", "art86")} == {State.MET}
    assert found["art26"] == State.PARTLY
    assert {found[c] for c in ("art43", "art47", "art49", "art72")} == {State.OPEN}
    gate = next(r for r in cv.gate(Stage.DEPLOYMENT) if r.requirement.code == "act_obligations")
    assert not gate.met and "Art. 43 Conformity assessment (open)" in gate.detail

    # The assistant's one duty is met by the notice in the chat window.
    assert states(chat) == {"art50_interaction": State.MET}

    profile = ActProfile.objects.get(organization=org)
    assert profile.annual_turnover == Decimal(420_000_000) and not profile.is_sme


def test_the_regulatory_watch_feeds_the_reviews_and_the_reminders(db):
    org, owner, _ = load_demo()
    held, planned = ManagementReview.objects.filter(organization=org).order_by("planned_on")

    # The review to come compiles it live: every change of its period, and the two still open.
    client = Client()
    client.force_login(owner)
    content = client.get(planned.get_absolute_url()).content.decode()
    assert WATCH in content
    for title in (GUIDELINES, CODE, STANDARD):
        assert title in content
    assert "Open: <strong>2</strong>" in content

    # The review held five months ago kept what was on the watch by then, as text and links.
    frozen = next(s for s in held.inputs if WATCH in s["title"])
    assert frozen["title"].startswith("9.3.2 b)")
    listed = [item["label"] for item in frozen["items"] if item["url"]]
    assert any(label.startswith(GUIDELINES) for label in listed)
    assert any(label.startswith(CODE) for label in listed)
    assert not any(STANDARD in item["label"] for item in frozen["items"])
    assert any(
        item["label"].startswith("Effect: Credit scoring of consumers") for item in frozen["items"]
    )

    # What falls due: the draft standard applying within the month, and the two open requests
    # (one overdue, one due within the week); the answered one is done.
    today = timezone.localdate()
    items = [
        item
        for item in due_items(org, today)
        if item.kind in ("Regulatory change", "Explanation or recourse request")
    ]
    assert [(item.kind, item.overdue(today)) for item in items] == [
        ("Explanation or recourse request", True),
        ("Explanation or recourse request", False),
        ("Regulatory change", False),
    ]
    assert STANDARD in items[2].title
    credit = org.ai_systems.get(slug="credit-scoring-model")
    assert items[0].people == frozenset({credit.owner_id})
    answered = RecourseRequest.objects.get(system=credit, status=RequestStatus.ANSWERED)
    assert not any(answered.ref in item.title for item in items)
