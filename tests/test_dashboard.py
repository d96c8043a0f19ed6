import datetime as dt
from importlib import import_module

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.dashboard.summary import summarize
from aims.documents.services import approve_version, create_from_starter, submit_for_review
from aims.evidence.models import Evidence
from aims.evidence.services import create_evidence
from aims.inventory.models import AISystem, RiskTier
from aims.inventory.services import save_system
from aims.leadership.models import Activity, AIMSRole
from aims.leadership.services import save_role, set_cell
from aims.readiness import services as readiness
from aims.readiness.models import Assessment
from aims.risk.models import Category, Risk
from aims.risk.services import save_risk
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry


def url(world):
    return reverse("dashboard", kwargs={"org": world.org.slug})


def add_records(world, n: int):
    """n systems, n risks (half above appetite, some overdue), n SoA decisions, n evidence."""
    org, actor = world.org, world.owner
    today = timezone.localdate()
    systems = []
    for i in range(n):
        systems.append(
            save_system(
                AISystem(
                    organization=org,
                    name=f"System {i}",
                    purpose="Scores things.",
                    risk_tier=RiskTier.HIGH if i % 2 else RiskTier.LIMITED,
                ),
                actor=actor,
            )
        )
        save_risk(
            Risk(
                organization=org,
                title=f"Risk {i}",
                category=Category.FAIRNESS,
                owner=actor,
                inherent_likelihood=5 if i % 2 else 2,
                inherent_impact=4 if i % 2 else 2,
                residual_likelihood=2,
                residual_impact=2 if i % 3 else 5,
                next_review=today - dt.timedelta(days=1 + i),
            ),
            actor=actor,
            systems=[systems[-1]],
        )
    entries = list(SoAEntry.objects.filter(organization=org)[:n])
    for entry in entries:
        entry.applicability = Applicability.APPLICABLE
        entry.status = Implementation.IMPLEMENTED
        entry.justification = "Needed for every AI system we run."
        update_entry(entry, actor=actor)
    for i in range(n):
        create_evidence(
            Evidence(
                organization=org,
                title=f"Evidence {i}",
                effective_from=today - dt.timedelta(days=100),
                valid_until=today - dt.timedelta(days=1) if i % 2 else None,
            ),
            actor=actor,
            files=[SimpleUploadedFile(f"e{i}.txt", b"evidence text", content_type="text/plain")],
            links={"soa_entries": [entries[i % len(entries)]]},
        )


@pytest.mark.parametrize("who", ["owner", "manager", "contributor", "auditor", "viewer"])
def test_every_member_sees_the_dashboard(world, who):
    response = world.client(getattr(world, who)).get(url(world))
    assert response.status_code == 200
    assert b"Getting started" in response.content


def test_an_outsider_gets_404_and_an_anonymous_visitor_is_sent_to_log_in(world):
    assert world.client(world.outsider).get(url(world)).status_code == 404
    response = world.client(None).get(url(world))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_empty_organization_gets_a_welcome_not_a_wall_of_zeros(world):
    steps = len(summarize(world.org).steps)
    assert steps >= 9  # one step per area that has one: context, documents, roles, ...
    response = world.client(world.owner).get(url(world))
    content = response.content.decode()
    assert "Welcome to your AI management system" in content
    assert f"0 of {steps} done" in content
    assert "Risk heat maps" not in content
    assert "0 of 38 controls decided" in content


PLAN_AND_SUPPORT_STEPS = [
    "Define the scope and context",
    "Approve the AI policy",
    "Assign AIMS roles",
    "Set AI objectives and KPIs",
    "Plan communication",
    "Record competence and training",
    "Assess readiness for certification",
]


def done(summary) -> dict[str, bool]:
    return {step.title: step.done for step in summary.steps}


def complete_plan_and_support(world):
    """What the remaining plan-and-support steps (and the readiness step) ask for, made through each area's services: an
    AI policy approved by top management, one
    Accountable per activity, an objective with a KPI, a communication plan, competence and
    training."""
    org, actor = world.org, world.owner
    policy = create_from_starter(org, "ai-policy", actor=world.manager)
    submit_for_review(policy.latest_version, actor=world.manager)
    approve_version(policy.latest_version, actor=world.top_manager)
    role = save_role(AIMSRole(organization=org, name="AIMS lead"), actor=actor, holders=[actor])
    for activity in Activity.objects.for_org(org):
        set_cell(activity, actor=actor, letter="A", role=role)
    for area in ("objectives", "communication", "competence"):
        records_of(area, world, {"objects": {}})
    complete_readiness_assessment(world)


def complete_readiness_assessment(world):
    """A gap assessment with every requirement decided: the proposals confirmed, the rest rated."""
    assessment = readiness.start_assessment(
        Assessment(organization=world.org, title="Gap assessment", assessor=world.manager),
        actor=world.owner,
    )
    readiness.accept_proposals(assessment, actor=world.owner)
    for item in assessment.items.pending():
        item.assessment = assessment
        readiness.rate_item(item, actor=world.owner, level=1, note="Seen in the workshop.")
    readiness.complete(assessment, actor=world.owner)


def decide_every_control(world):
    """Every SoA entry still undecided gets a decision: applicable, not started."""
    for entry in SoAEntry.objects.filter(
        organization=world.org, applicability=Applicability.UNDECIDED
    ):
        entry.applicability = Applicability.APPLICABLE
        entry.status = Implementation.NOT_STARTED
        entry.justification = "Our credit models need this control in every release."
        update_entry(entry, actor=world.owner)


def records_of(area: str, world, records: dict) -> dict:
    return import_module(f"tests.routes.{area}").make(world, records)


def test_the_checklist_ticks_itself_from_the_data(world):
    org = world.org
    assert set(done(summarize(org)).values()) == {False}

    add_records(world, 1)
    system = AISystem.objects.get(organization=org)
    risk = Risk.objects.get(organization=org)
    steps = done(summarize(org))
    # one control decided of 38 is not a Statement of Applicability
    assert [title for title, ok in steps.items() if not ok] == [
        t for t in steps if t in [*PLAN_AND_SUPPORT_STEPS, "Decide the Statement of Applicability"]
    ]
    # the context's route records: an approved scope, an issue and an interested party
    records_of("context", world, {"objects": {"system": system, "risk": risk}})
    assert done(summarize(org))["Define the scope and context"] is True
    complete_plan_and_support(world)
    summary = summarize(org)
    assert [s.title for s in summary.steps if not s.done] == [
        "Decide the Statement of Applicability"
    ]
    content = world.client(world.owner).get(url(world)).content.decode()
    assert "Getting started" in content and "1 of 38 controls decided" in content
    decide_every_control(world)

    summary = summarize(org)
    assert set(done(summary).values()) == {True}
    assert summary.getting_started_complete
    soa_step = next(s for s in summary.steps if s.url_name == "soa_list")
    assert soa_step.progress == "38 of 38 controls decided"
    content = world.client(world.owner).get(url(world)).content.decode()
    assert "Getting started" not in content  # complete: the checklist steps aside
    assert "Risk heat maps" in content


def test_the_checklist_shows_progress_in_between(world):
    add_records(world, 2)
    summary = summarize(world.org)
    ticked = sum(step.done for step in summary.steps)
    assert ticked == 3  # the AI systems, risks and evidence steps; 36 controls are undecided
    content = world.client(world.viewer).get(url(world)).content.decode()
    assert f"{ticked} of {len(summary.steps)} done" in content
    assert "2 of 38 controls decided" in content
    assert "Welcome to your AI management system" not in content


def test_the_summary_counts_what_needs_attention(world):
    add_records(world, 4)
    summary = summarize(world.org)
    systems, risks = summary.data("inventory"), summary.data("risk")
    evidence, soa = summary.data("evidence"), summary.data("soa")
    assert systems["total"] == 4
    assert {t.value: t.count for t in systems["by_tier"]}["high"] == 2
    # risks 1 and 3 score 20 inherent; residual 2x2 except i=0,3 which are 2x5=10 > 9
    assert (
        risks["needs_decision_count"] == Risk.objects.needs_decision(world.org.risk_matrix).count()
    )
    assert risks["needs_decision_count"] == 2
    assert risks["review_overdue_count"] == 4
    assert evidence["expired_count"] == 2
    assert soa["decided"] == 4 and soa["undecided"] == 34
    assert {t.value: t.count for t in soa["by_status"]}["implemented"] == 4
    assert risks["inherent_map"].total == 4 and risks["residual_map"].total == 4
    # The count of what needs attention is the sum of every area's notices, undecided controls
    # among them.
    assert summary.attention_count == 2 + 4 + 2 + soa["flagged"] + 34
    assert len(summary.recent_events) == 10


def test_the_dashboard_links_risks_needing_a_decision(world):
    add_records(world, 2)
    content = world.client(world.owner).get(url(world)).content.decode()
    assert "Risks needing a decision" in content
    assert "R-002 Risk 1" in content


def test_the_activity_section_refreshes_alone(world):
    add_records(world, 1)
    response = world.client(world.owner).get(
        url(world) + "?section=activity", headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="recent-activity"' in content and "<html" not in content


def queries_for(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_dashboard_query_count_does_not_grow_with_the_data(world, django_assert_num_queries):
    client = world.client(world.owner)
    add_records(world, 2)
    small = queries_for(client, url(world))

    add_records(world, 15)
    with django_assert_num_queries(small):
        response = client.get(url(world))

    assert response.status_code == 200
    assert Risk.objects.filter(organization=world.org).count() == 17
    risks = response.context["summary"].data("risk")
    assert len(risks["review_overdue"]) == 10 and risks["review_overdue_count"] == 17


def test_a_strip_shows_only_when_something_is_wrong_and_a_cell_says_all_is_well(world):
    add_records(world, 1)
    content = world.client(world.owner).get(url(world)).content.decode()
    assert "Failed technical checks" not in content
    assert "Evidence with altered or missing files" not in content
    assert "No risk review is overdue." not in content  # one review is overdue
    assert "All evidence is within its validity." in content
