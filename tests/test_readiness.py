"""Gap and readiness assessment: the scale, proposals from the records, the state machine and its
refusals, results, gaps ranked by risk, the comparison, the checklist, the roadmap, the hooks
(management review, dashboard, reminders), the API, the PDF report and the demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.audits.models import Audit, AuditProgramme, AuditStatus
from aims.catalog.models import Clause, Control
from aims.core.areas import due_items, hooks
from aims.core.dates import add_months
from aims.core.errors import Refused
from aims.documents import services as document_services
from aims.documents.models import Document
from aims.documents.models import Kind as DocumentKind
from aims.evidence.models import Evidence
from aims.evidence.services import create_evidence
from aims.nonconformities.services import raise_nonconformity
from aims.readiness import services, signals
from aims.readiness.checklist import checklist
from aims.readiness.dashboard import part
from aims.readiness.models import (
    LEVEL_DESCRIPTIONS,
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistKey,
    ChecklistTick,
    Decision,
    Maturity,
    RoadmapAction,
    Status,
)
from aims.readiness.results import compare, results
from aims.reviews.models import ManagementReview, ReviewStatus
from aims.risk.models import Risk
from aims.risk.services import save_risk
from aims.soa.models import Applicability, Implementation, SoAEntry
from aims.soa.services import update_entry
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient
from tests.test_reports import pdf_text

TODAY = timezone.localdate()
LEAF_CLAUSES = [
    "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3", "6.1.4", "6.2",
    "6.3", "7.1", "7.2", "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "8.4",
    "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
]  # fmt: skip


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def start(world, **fields) -> Assessment:
    fields.setdefault("title", "Gap assessment")
    fields.setdefault("assessor", world.manager)
    return services.start_assessment(
        Assessment(organization=world.org, **fields), actor=world.manager
    )


def item_of(assessment, ref) -> AssessmentItem:
    item = AssessmentItem.objects.select_related("clause", "control").get(
        Q(clause__ref=ref) | Q(control__ref=ref), assessment=assessment
    )
    item.assessment = assessment
    return item


def decide(entry_ref, world, applicability, status=Implementation.NOT_STARTED):
    entry = SoAEntry.objects.get(organization=world.org, control__ref=entry_ref)
    entry.applicability = applicability
    entry.status = status
    entry.justification = "Decided in the workshop."
    return update_entry(entry, actor=world.owner)


def completed(world, levels: dict[str, int] | None = None, **fields) -> Assessment:
    """A completed assessment: every proposal accepted, then the levels given set by hand."""
    assessment = start(world, **fields)
    services.accept_proposals(assessment, actor=world.manager)
    for ref, level in (levels or {}).items():
        services.rate_item(item_of(assessment, ref), actor=world.manager, level=level, note="Set.")
    return services.complete(assessment, actor=world.manager)


# --- The scale ------------------------------------------------------------------------------------


def test_the_scale_has_six_levels_each_described():
    assert Maturity.values == [0, 1, 2, 3, 4, 5]
    assert set(LEVEL_DESCRIPTIONS) == set(Maturity.values)
    assert all(len(LEVEL_DESCRIPTIONS[level]) > 40 for level in Maturity.values)
    assert Maturity.IMPLEMENTED.short == "Implemented"


def test_the_pages_show_the_scale(world):
    assessment = start(world)
    client = world.client(world.viewer)
    for page in (url(world, "readiness_list"), assessment.get_absolute_url()):
        body = client.get(page).content.decode()
        assert "The maturity scale" in body
        assert "Reviewed and improved from its results" in body  # level 5's description


# --- Starting an assessment -------------------------------------------------------------------


def test_an_assessment_rates_every_leaf_clause_and_every_control_not_excluded(world):
    decide("A.10.4", world, Applicability.EXCLUDED)
    decide("A.2.2", world, Applicability.APPLICABLE, Implementation.PLANNED)
    assessment = start(world)
    items = list(assessment.items.select_related("clause", "control"))
    clauses = [i.ref for i in items if i.kind == "clause"]
    controls = [i.ref for i in items if i.kind == "control"]
    assert clauses == LEAF_CLAUSES
    assert "A.10.4" not in controls and "A.2.2" in controls
    assert len(controls) == Control.objects.count() - 1
    assert all(i.proposed_level is not None and i.proposal_reason for i in items)
    assert all(i.decision == Decision.PENDING and i.level is None for i in items)
    assert assessment.status == Status.DRAFT and assessment.title == "Gap assessment"
    event = AuditEvent.objects.get(record_type="readiness.assessment", record_id=str(assessment.pk))
    assert "32 clause requirements" in event.note


def test_empty_areas_say_not_recorded_yet_and_propose_0_or_1(world):
    assessment = start(world)
    for ref in ("4.1", "5.2", "9.2.1", "9.3.1", "10.1", "10.2"):
        item = item_of(assessment, ref)
        assert "not recorded yet" in item.proposal_reason, ref
        assert item.proposed_level in (0, 1), ref
    control = item_of(assessment, "A.2.2")
    assert control.proposed_level == 0 and "Not decided in the Statement" in control.proposal_reason


def test_the_records_raise_the_proposals_with_their_reasons(world):
    # An approved AI policy (5.2)
    policy = document_services.create_document(
        Document(
            organization=world.org, title="AI policy", kind=DocumentKind.POLICY, is_ai_policy=True
        ),
        actor=world.manager,
        content="# AI policy\n\nWe use AI responsibly.\n",
    )
    version = document_services.submit_for_review(policy.versions.get(), actor=world.manager)
    document_services.approve_version(version, actor=world.owner)
    # A control implemented with current evidence (3)
    entry = decide("A.6.2.4", world, Applicability.APPLICABLE, Implementation.IMPLEMENTED)
    create_evidence(
        Evidence(organization=world.org, title="Validation report", effective_from=TODAY),
        actor=world.owner,
        files=[SimpleUploadedFile("v.md", b"# ok\n", content_type="text/markdown")],
        links={"soa_entries": [entry]},
    )
    decide("A.6.2.5", world, Applicability.APPLICABLE, Implementation.IMPLEMENTED)
    decide("A.6.2.6", world, Applicability.APPLICABLE, Implementation.PARTIAL)
    assessment = start(world)
    policy_item = item_of(assessment, "5.2")
    assert policy_item.proposed_level >= 3
    assert "AI policy is approved" in policy_item.proposal_reason
    a624 = item_of(assessment, "A.6.2.4")
    assert a624.proposed_level == 3 and "current evidence" in a624.proposal_reason
    # the current evidence already linked to the SoA entry starts the item's list
    assert [e.title for e in a624.evidence.all()] == ["Validation report"]
    a625 = item_of(assessment, "A.6.2.5")
    assert a625.proposed_level == 2 and "no current evidence" in a625.proposal_reason
    assert item_of(assessment, "A.6.2.6").proposed_level == 2


def test_an_internal_audit_and_a_management_review_raise_clause_9(world):
    programme = AuditProgramme.objects.create(
        organization=world.org,
        title="2026",
        starts_on=TODAY - dt.timedelta(days=100),
        ends_on=TODAY + dt.timedelta(days=200),
    )
    audit = Audit.objects.create(
        organization=world.org,
        programme=programme,
        ref="IA-001",
        title="Whole AIMS",
        planned_start=TODAY - dt.timedelta(days=30),
        planned_end=TODAY - dt.timedelta(days=20),
        status=AuditStatus.COMPLETED,
        completed_on=TODAY - dt.timedelta(days=20),
    )
    audit.clauses.set(Clause.objects.filter(children__isnull=True, parent__isnull=False))
    ManagementReview.objects.create(
        organization=world.org,
        title="Annual review",
        planned_on=TODAY - dt.timedelta(days=10),
        held_on=TODAY - dt.timedelta(days=10),
        status=ReviewStatus.APPROVED,
    )
    assessment = start(world)
    conduct = item_of(assessment, "9.2.1")
    # every clause audited, and no control decided applicable: the whole AIMS is covered
    assert conduct.proposed_level == 4
    assert "1 internal audit completed this year, covering the whole AIMS" in (
        conduct.proposal_reason
    )
    review = item_of(assessment, "9.3.1")
    assert review.proposed_level == 4 and "minutes approved" in review.proposal_reason


def test_an_open_major_nonconformity_lowers_the_proposal_by_one(world):
    decide("A.6.2.4", world, Applicability.APPLICABLE, Implementation.PARTIAL)
    before = item_of(start(world), "A.6.2.4").proposed_level
    services.delete_assessment(Assessment.objects.get(organization=world.org), actor=world.owner)
    raise_nonconformity(
        world.org,
        title="Validation skipped",
        description="The model was deployed without its validation report.",
        source="audit",
        severity="major",
        actor=world.manager,
        controls=["A.6.2.4"],
    )
    item = item_of(start(world), "A.6.2.4")
    assert item.proposed_level == before - 1
    assert "Lowered by one: 1 open major nonconformity" in item.proposal_reason
    assert "open major" in item_of(item.assessment, "10.2").proposal_reason


def test_proposals_are_read_in_a_fixed_number_of_queries(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            signals.gather(world.org, today=TODAY)
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        save_risk(
            Risk(
                organization=world.org,
                title=f"Risk {n}",
                category="fairness",
                inherent_likelihood=3,
                inherent_impact=3,
            ),
            actor=world.owner,
            controls=list(Control.objects.all()[n : n + 2]),
        )
        decide(Control.objects.all()[n].ref, world, Applicability.APPLICABLE)

    add(0)
    few = queries()
    for n in range(1, 16):
        add(n)
    assert queries() == few


def test_only_one_draft_at_a_time(world):
    first = start(world)
    with pytest.raises(Refused, match="still a draft"):
        start(world, title="Second")
    client = world.client(world.manager)
    response = client.post(url(world, "readiness_create"), {"title": "Second"})
    assert response.status_code == 422
    assert "still a draft" in response.content.decode()
    assert list(Assessment.objects.filter(organization=world.org)) == [first]


def test_a_date_in_the_future_is_refused_beside_the_field(world):
    client = world.client(world.manager)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = client.post(
        url(world, "readiness_create"), {"title": "X", "assessed_on": tomorrow.isoformat()}
    )
    assert response.status_code == 422
    assert "cannot be dated in the future" in response.content.decode()
    assert not Assessment.objects.exists()


# --- Rating items -----------------------------------------------------------------------------


def test_confirm_takes_the_proposal_in_one_click(world):
    assessment = start(world)
    item = item_of(assessment, "4.1")
    response = world.client(world.manager).post(
        url(world, "readiness_item_confirm", assessment_id=assessment.pk, item_id=item.pk)
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.level == item.proposed_level and item.decision == Decision.CONFIRMED


def test_overriding_a_proposal_needs_a_note(world):
    assessment = start(world)
    item = item_of(assessment, "4.1")
    other = (item.proposed_level + 2) % 6
    client = world.client(world.manager)
    page = url(world, "readiness_item", assessment_id=assessment.pk, item_id=item.pk)
    response = client.post(page, {"level": other, "note": "  "})
    assert response.status_code == 422
    assert "Say why you rate it" in response.content.decode()
    item.refresh_from_db()
    assert item.level is None and item.decision == Decision.PENDING
    response = client.post(page, {"level": other, "note": "The workshop found no register."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.level == other and item.decision == Decision.OVERRIDDEN
    assert item.note == "The workshop found no register."
    assert AuditEvent.objects.filter(
        record_type="readiness.assessmentitem", record_id=str(item.pk)
    ).exists()


def test_a_level_off_the_scale_is_refused(world):
    item = item_of(start(world), "4.1")
    for level in (6, -1, True, "3"):
        with pytest.raises(ValidationError):
            services.rate_item(item, actor=world.manager, level=level, note="x")
    item.refresh_from_db()
    assert item.level is None


def test_accept_all_proposals_confirms_every_pending_item(world):
    assessment = start(world)
    services.rate_item(item_of(assessment, "4.1"), actor=world.manager, level=5, note="Great.")
    response = world.client(world.manager).post(
        url(world, "readiness_accept", assessment_id=assessment.pk), follow=True
    )
    total = assessment.items.count()
    assert f"{total - 1} proposals confirmed." in response.content.decode()
    assert not assessment.items.pending().exists()
    assert item_of(assessment, "4.1").level == 5  # a decided item keeps its level


def test_refreshing_proposals_keeps_the_decided_levels(world):
    assessment = start(world)
    services.rate_item(item_of(assessment, "A.2.2"), actor=world.manager, level=2, note="Seen.")
    decide("A.2.2", world, Applicability.APPLICABLE, Implementation.PLANNED)
    changed = services.refresh_proposals(assessment, actor=world.manager)
    assert changed >= 1
    item = item_of(assessment, "A.2.2")
    assert item.proposed_level == 1 and "planned" in item.proposal_reason
    assert item.level == 2 and item.decision == Decision.OVERRIDDEN


# --- Completion and what it forbids -----------------------------------------------------------


def test_completing_with_items_to_decide_is_refused_on_the_page_and_api(world):
    assessment = start(world)
    response = world.client(world.manager).post(
        url(world, "readiness_complete", assessment_id=assessment.pk), follow=True
    )
    assert "still to decide" in response.content.decode()
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post(f"/api/v1/readiness/assessments/{assessment.pk}/complete")
    assert response.status_code == 409
    assert "still to decide" in response.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT and assessment.completed_at is None


def test_a_completed_assessment_no_longer_changes(world):
    assessment = completed(world)
    assert assessment.status == Status.COMPLETED and assessment.completed_by == world.manager
    item = item_of(assessment, "4.1")
    level = item.level
    with pytest.raises(Refused, match="no longer changes"):
        services.rate_item(item, actor=world.manager, level=(level + 1) % 6, note="x")
    with pytest.raises(Refused):
        services.complete(assessment, actor=world.manager)
    with pytest.raises(Refused, match="not deleted"):
        services.delete_assessment(assessment, actor=world.owner)
    client = world.client(world.manager)
    response = client.post(
        url(world, "readiness_item", assessment_id=assessment.pk, item_id=item.pk),
        {"level": 5, "note": "x"},
        follow=True,
    )
    assert "no longer changes" in response.content.decode()
    response = client.post(url(world, "readiness_delete", assessment_id=assessment.pk), follow=True)
    assert "not deleted" in response.content.decode()
    api = ApiClient.for_member(world.manager, world.org)
    response = api.patch(
        f"/api/v1/readiness/assessments/{assessment.pk}/items/{item.pk}", {"confirm": True}
    )
    assert response.status_code == 409
    response = api.patch(f"/api/v1/readiness/assessments/{assessment.pk}", {"title": "New"})
    assert response.status_code == 409
    item.refresh_from_db()
    assessment.refresh_from_db()
    assert item.level == level and assessment.title == "Gap assessment"
    assert Assessment.objects.filter(pk=assessment.pk).exists()


def test_a_draft_is_deleted_with_its_items(world):
    assessment = start(world)
    response = world.client(world.manager).post(
        url(world, "readiness_delete", assessment_id=assessment.pk)
    )
    assert response.status_code == 302
    assert not Assessment.objects.exists() and not AssessmentItem.objects.exists()


# --- Results ----------------------------------------------------------------------------------


def test_results_per_clause_per_objective_and_overall(world):
    for ref in ("A.2.2", "A.2.3", "A.3.2"):
        decide(ref, world, Applicability.APPLICABLE)
    for ref in [c.ref for c in Control.objects.exclude(ref__in=["A.2.2", "A.2.3", "A.3.2"])]:
        decide(ref, world, Applicability.EXCLUDED)
    assessment = start(world)
    levels = {ref: 0 for ref in LEAF_CLAUSES}
    levels.update({"4.1": 5, "4.2": 4, "4.3": 3, "4.4": 0, "A.2.2": 4, "A.2.3": 2, "A.3.2": 3})
    for ref, level in levels.items():
        services.rate_item(item_of(assessment, ref), actor=world.manager, level=level, note="x")
    found = results(assessment)
    clause_4 = next(g for g in found.clauses if g.ref == "4")
    assert (clause_4.mean, clause_4.percent, clause_4.at_target) == (3.0, 60, 3)
    a2 = next(g for g in found.objectives if g.ref == "A.2")
    assert (a2.mean, a2.percent, a2.decided) == (3.0, 60, 2)
    assert [g.ref for g in found.objectives] == ["A.2", "A.3"]
    total = sum(levels.values())
    assert found.decided == 35 and found.mean == pytest.approx(total / 35)
    assert found.percent == round(100 * total / 35 / 5)
    assert found.share_at_target == round(100 * 5 / 35)
    assert {i.ref for i in found.strengths} == {"4.1", "4.2", "A.2.2"}
    assert {g.item.ref for g in found.gaps} == set(levels) - {"4.1", "4.2", "4.3", "A.2.2", "A.3.2"}


def test_gaps_are_ranked_by_the_open_risks_they_leave(world):
    for ref in ("A.2.2", "A.2.3", "A.3.2", "A.3.3"):
        decide(ref, world, Applicability.APPLICABLE)
    controls = {c.ref: c for c in Control.objects.filter(ref__in=["A.2.2", "A.2.3", "A.3.3"])}
    save_risk(  # critical (5 x 5), through the risk's controls
        Risk(
            organization=world.org,
            title="Critical",
            category="fairness",
            inherent_likelihood=5,
            inherent_impact=5,
        ),
        actor=world.owner,
        controls=[controls["A.2.3"]],
    )
    low = save_risk(  # low (1 x 2), through the SoA entry's risks
        Risk(
            organization=world.org,
            title="Low",
            category="privacy",
            inherent_likelihood=1,
            inherent_impact=2,
        ),
        actor=world.owner,
    )
    entry = SoAEntry.objects.get(organization=world.org, control__ref="A.2.2")
    update_entry(entry, actor=world.owner, risks=[low])
    closed = save_risk(
        Risk(
            organization=world.org,
            title="Closed",
            category="privacy",
            inherent_likelihood=5,
            inherent_impact=5,
            status="closed",
        ),
        actor=world.owner,
        controls=[controls["A.3.3"]],
    )
    assert closed.status == "closed"
    assessment = completed(world, levels={"A.2.2": 1, "A.2.3": 2, "A.3.2": 0, "A.3.3": 1})
    gaps = [g for g in results(assessment).gaps if g.item.kind == "control"]
    assert [g.item.ref for g in gaps][:2] == ["A.2.3", "A.2.2"]
    assert gaps[0].weight == 4 and gaps[0].risks[0].level == "critical"
    assert gaps[1].weight == 1
    a33 = next(g for g in gaps if g.item.ref == "A.3.3")
    assert a33.weight == 0  # a closed risk is no longer open


def test_two_assessments_compare_side_by_side(world):
    decide("A.2.2", world, Applicability.APPLICABLE)
    earlier = completed(world, levels={"4.1": 1, "4.2": 3, "A.2.2": 1}, title="Before")
    later = completed(world, levels={"4.1": 4, "4.2": 2, "A.2.2": 1}, title="After")
    comparison = compare(earlier, later)
    assert [c.ref for c in comparison.up] == ["4.1"] and comparison.up[0].change == 3
    assert [c.ref for c in comparison.down] == ["4.2"]
    row = next(r for r in comparison.clauses if r.ref == "4")
    assert row.change == (
        next(g for g in comparison.after.clauses if g.ref == "4").percent
        - next(g for g in comparison.before.clauses if g.ref == "4").percent
    )
    assert comparison.change == comparison.after.percent - comparison.before.percent
    response = world.client(world.viewer).get(
        url(world, "readiness_compare"), {"before": earlier.pk, "after": later.pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and "Up (1)" in body and "Down (1)" in body
    response = world.client(world.viewer).get(
        url(world, "readiness_compare"), {"before": earlier.pk, "after": earlier.pk}
    )
    assert response.status_code == 422 and "two different assessments" in response.content.decode()


def test_the_summary_shows_figures_chart_gaps_and_change(world):
    earlier = completed(world, levels={"4.1": 1}, title="Before")
    later = completed(world, levels={"4.1": 4}, title="After")
    response = world.client(world.top_manager).get(
        url(world, "readiness_summary", assessment_id=later.pk)
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 2 and 'class="bar"' in body and 'class="before"' in body
    assert "overall readiness" in body and "The gaps that leave most risk open" in body
    assert f"since {earlier.assessed_on:%Y-%m-%d}" in body


def test_the_report_pdf_is_one_or_two_pages_and_names_the_organization(world):
    assessment = completed(world, levels={"4.1": 4})
    client = world.client(world.viewer)
    page = client.get(url(world, "readiness_report", assessment_id=assessment.pk))
    assert page.status_code == 200 and "Readiness summary" in page.content.decode()
    response = client.get(url(world, "readiness_report_pdf", assessment_id=assessment.pk))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="readiness-summary-acme-lending-' in response["Content-Disposition"]
    text, pages = pdf_text(response.content)
    assert "Acme Lending" in text
    assert "Readiness summary" in text and "overall readiness" in text
    assert "Readiness by clause" in text
    assert pages in (1, 2)


# --- The checklist ----------------------------------------------------------------------------


def test_the_checklist_answers_from_the_data_with_reasons(world):
    found = checklist(world.org, today=TODAY)
    assert [item.key for item in found.items] == list(ChecklistKey)
    items = found.by_key
    assert not items["gap_analysis"].data_met
    assert "not recorded yet" in items["gap_analysis"].reason
    assert not items["stage_1"].met and "gap analysis done" in items["stage_1"].reason
    completed(world)
    items = checklist(world.org, today=TODAY).by_key
    assert items["gap_analysis"].data_met and "Gap assessment" in items["gap_analysis"].reason


def test_a_tick_by_hand_needs_a_note_and_never_hides_the_data(world):
    client = world.client(world.manager)
    page = url(world, "readiness_tick", item_key="people")
    response = client.post(page, {"people-ticked": "yes", "people-note": ""})
    assert response.status_code == 422
    assert not ChecklistTick.objects.exists()
    response = client.post(
        page, {"people-ticked": "yes", "people-note": "Awareness sessions held in March."}
    )
    assert response.status_code == 302
    tick = ChecklistTick.objects.get(organization=world.org, key="people")
    assert tick.ticked and tick.ticked_by == world.manager
    assert AuditEvent.objects.filter(record_type="readiness.checklisttick").exists()
    item = checklist(world.org, today=TODAY).by_key["people"]
    assert item.met and not item.data_met and item.disagrees
    body = world.client(world.viewer).get(url(world, "readiness_checklist")).content.decode()
    assert "Awareness sessions held in March." in body
    assert "The records say otherwise" in body
    # cleared, the item follows the records again
    client.post(page, {"clear": "1"})
    assert not ChecklistTick.objects.exists()
    assert not checklist(world.org, today=TODAY).by_key["people"].met


def test_the_stages_follow_the_items_they_need(world):
    for key in ("scope", "gap_analysis", "planning", "internal_audit", "management_review"):
        services.tick(world.org, key, actor=world.manager, note="Checked by hand.")
    items = checklist(world.org, today=TODAY).by_key
    assert items["stage_1"].met and not items["stage_1"].by_hand
    assert not items["stage_2"].met and "people trained and aware" in items["stage_2"].reason


def test_a_contributor_cannot_run_an_assessment_and_nothing_changes(world):
    client = world.client(world.contributor)
    assert client.post(url(world, "readiness_create"), {"title": "Mine"}).status_code == 403
    api = ApiClient.for_member(world.contributor, world.org)
    assert api.post("/api/v1/readiness/assessments", {"title": "Mine"}).status_code == 403
    assert not Assessment.objects.exists()


def test_a_viewer_cannot_tick_and_nothing_changes(world):
    response = world.client(world.viewer).post(
        url(world, "readiness_tick", item_key="scope"), {"scope-ticked": "yes", "scope-note": "x"}
    )
    assert response.status_code == 403
    assert not ChecklistTick.objects.exists()


# --- The roadmap ------------------------------------------------------------------------------


def test_an_action_from_a_gap_and_its_life(world):
    assessment = completed(world, levels={"4.1": 1})
    gap = item_of(assessment, "4.1")
    client = world.client(world.contributor)
    form = client.get(url(world, "readiness_action_create") + f"?item={gap.pk}")
    assert "Raise 4.1" in form.content.decode()
    response = client.post(
        url(world, "readiness_action_create"),
        {
            "title": "Write the context analysis",
            "item": gap.pk,
            "owner": world.contributor.pk,
            "due_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 422 and "already passed" in response.content.decode()
    response = client.post(
        url(world, "readiness_action_create"),
        {
            "title": "Write the context analysis",
            "item": gap.pk,
            "owner": world.contributor.pk,
            "due_date": (TODAY + dt.timedelta(days=10)).isoformat(),
        },
    )
    action = RoadmapAction.objects.get()
    assert response.status_code == 302
    assert action.assessment == assessment and action.item == gap
    client.post(url(world, "readiness_action_done", action_id=action.pk))
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.done_on == TODAY
    with pytest.raises(Refused, match="already done"):
        services.mark_done(action, actor=world.contributor)
    response = world.client(world.manager).post(
        url(world, "readiness_action_delete", action_id=action.pk), follow=True
    )
    assert "kept as the record" in response.content.decode()
    assert RoadmapAction.objects.filter(pk=action.pk).exists()
    client.post(url(world, "readiness_action_reopen", action_id=action.pk))
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN and action.done_on is None


def test_the_roadmap_filters_and_exports(world):
    for n, owner in enumerate([world.contributor, world.manager]):
        services.save_action(
            RoadmapAction(
                organization=world.org,
                title=f"Action {n}",
                owner=owner,
                due_date=TODAY + dt.timedelta(days=5),
            ),
            actor=world.owner,
        )
    client = world.client(world.viewer)
    body = client.get(url(world, "readiness_roadmap"), {"q": "Action 1"}).content.decode()
    assert "Action 1" in body and "Action 0" not in body
    csv = client.get(url(world, "readiness_roadmap_csv")).content.decode()
    assert "Action 0" in csv and "Action 1" in csv


def test_an_action_names_only_a_gap_of_its_own_organization(world):
    other_owner = world.outsider
    other = services.start_assessment(
        Assessment(organization=world.other_org, title="Theirs"), actor=other_owner
    )
    theirs = other.items.first()
    with pytest.raises(ValidationError) as refused:
        services.save_action(
            RoadmapAction(organization=world.org, title="Steal", item=theirs), actor=world.owner
        )
    assert "item" in refused.value.message_dict
    assert not RoadmapAction.objects.exists()


# --- Hooks ------------------------------------------------------------------------------------


def test_the_management_review_reads_the_latest_completed_assessment(world):
    review = ManagementReview.objects.create(
        organization=world.org, title="Annual review", planned_on=TODAY
    )
    request = type("Request", (), {"org": world.org})()
    (hook,) = [fn for fn in hooks("review_inputs") if fn.__module__ == "aims.readiness.area"]
    section = hook(review, request)
    assert section.context["assessment"] is None
    assessment = completed(world, levels={"4.1": 5})
    section = hook(review, request)
    assert section.context["assessment"] == assessment
    assert section.context["results"].percent == results(assessment).percent
    from django.template.loader import render_to_string

    html = render_to_string(
        section.template, {"section": section.context, "org": world.org, "frozen": True}
    )
    assert "Readiness for certification" in html
    assert "4 Context of the organization" in html
    assert f"/readiness/{assessment.pk}/summary/" in html
    assert "Certification checklist" in html


def test_the_dashboard_shows_readiness_and_checklist_progress(world):
    found = part(world.org)
    assert found.data["readiness_percent"] is None and found.data["checklist_total"] == 10
    completed(world, levels={"4.1": 5})
    found = part(world.org)
    assert found.data["readiness_percent"] is not None
    assert found.data["checklist_met"] >= 1
    body = world.client(world.owner).get(url(world, "dashboard")).content.decode()
    assert "Readiness for certification" in body


def test_a_yearly_reassessment_falls_due(world):
    assert not [i for i in due_items(world.org, TODAY) if i.kind == "Readiness reassessment"]
    assessment = completed(world)
    Assessment.objects.filter(pk=assessment.pk).update(assessed_on=TODAY - dt.timedelta(days=350))
    (item,) = [i for i in due_items(world.org, TODAY) if i.kind == "Readiness reassessment"]
    assert item.due == add_months(TODAY - dt.timedelta(days=350), 12)
    assert item.url == url(world, "readiness_list")


def test_an_open_roadmap_action_near_its_date_is_due_for_its_owner(world):
    services.save_action(
        RoadmapAction(
            organization=world.org,
            title="Train the underwriters",
            owner=world.contributor,
            due_date=TODAY + dt.timedelta(days=3),
        ),
        actor=world.owner,
    )
    (item,) = [i for i in due_items(world.org, TODAY) if i.kind == "Readiness action"]
    assert item.people == frozenset({world.contributor.pk})


# --- API --------------------------------------------------------------------------------------


def test_the_api_runs_an_assessment(world):
    api = ApiClient.for_member(world.manager, world.org)
    response = api.post("/api/v1/readiness/assessments", {"title": "From CI"})
    assert response.status_code == 201, response.content
    number = response.json()["id"]
    assert response.json()["pending"] == response.json()["items"] > 30
    assert api.post("/api/v1/readiness/assessments", {}).status_code == 409
    items = api.get(f"/api/v1/readiness/assessments/{number}/items", {"limit": 200}).json()
    first = items["items"][0]
    assert first["ref"] == "4.1" and first["proposal_reason"]
    other = (first["proposed_level"] + 1) % 6
    path = f"/api/v1/readiness/assessments/{number}/items/{first['id']}"
    response = api.patch(path, {"level": other})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "note"
    response = api.patch(path, {"level": other, "note": "Workshop."})
    assert response.status_code == 200 and response.json()["decision"] == "overridden"
    assert api.patch(path, {"level": 9}).status_code == 422
    response = api.post(f"/api/v1/readiness/assessments/{number}/accept-proposals")
    assert response.json()["pending"] == 0
    response = api.post(f"/api/v1/readiness/assessments/{number}/complete")
    assert response.status_code == 200 and response.json()["status"] == "completed"
    results_json = api.get(f"/api/v1/readiness/assessments/{number}/results").json()
    assert results_json["overall"]["percent"] == response.json()["readiness_percent"]
    assert [g["ref"] for g in results_json["clauses"]] == ["4", "5", "6", "7", "8", "9", "10"]
    assert results_json["objectives"][0]["ref"] == "A.2"


def test_the_api_reads_and_ticks_the_checklist(world):
    api = ApiClient.for_member(world.manager, world.org)
    found = api.get("/api/v1/readiness/checklist").json()
    assert found["total"] == 10 and found["items"][0]["key"] == "scope"
    response = api.post("/api/v1/readiness/checklist", {"key": "scope", "note": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "note"
    response = api.post("/api/v1/readiness/checklist", {"key": "scope", "note": "Board minutes."})
    scope = response.json()["items"][0]
    assert scope["met"] and scope["by_hand"] and not scope["data_met"]
    response = api.post("/api/v1/readiness/checklist", {"key": "scope", "clear": True})
    assert not response.json()["items"][0]["by_hand"]
    assert api.post("/api/v1/readiness/checklist", {"key": "nope"}).status_code == 422


def test_the_api_keeps_the_roadmap(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/readiness/roadmap",
        {"title": "Approve the policy", "owner": world.contributor.username},
    )
    assert response.status_code == 201
    number = response.json()["id"]
    response = api.post(f"/api/v1/readiness/roadmap/{number}/done")
    assert response.json()["status"] == "done"
    assert api.post(f"/api/v1/readiness/roadmap/{number}/done").status_code == 409
    response = api.post("/api/v1/readiness/roadmap", {"title": "X", "item": 999999})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "item"


# --- Pages ------------------------------------------------------------------------------------


def test_the_assessment_page_groups_items_and_filters_them(world):
    assessment = start(world)
    services.rate_item(item_of(assessment, "4.1"), actor=world.manager, level=0, note="None.")
    client = world.client(world.viewer)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert "4 Context of the organization" in body and 'id="group-A.2"' in body
    assert "Confirm " not in body  # a viewer has no buttons
    gaps = client.get(assessment.get_absolute_url(), {"show": "gaps"}).content.decode()
    assert "4.1</strong>" in gaps and "4.2</strong>" not in gaps
    manager = world.client(world.manager).get(assessment.get_absolute_url()).content.decode()
    assert "Accept all" in manager and "Confirm " in manager


def test_the_list_and_exports(world):
    completed(world, title="First")
    client = world.client(world.viewer)
    body = client.get(url(world, "readiness_list")).content.decode()
    assert "First" in body and "Latest completed" in body
    csv = client.get(url(world, "readiness_export_csv")).content.decode()
    assert "First" in csv and "Readiness (% of level 5)" in csv
    assessment = Assessment.objects.get()
    items_csv = client.get(url(world, "readiness_items_csv", assessment_id=assessment.pk))
    assert items_csv.content.decode().count("\n") == assessment.items.count() + 1


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_shows_progress_between_two_assessments(db):
    from aims.demo.loader import load_demo

    org, _, _ = load_demo(password="a-demo-password-123")
    earlier, later = Assessment.objects.for_org(org).order_by("assessed_on")
    assert earlier.status == later.status == Status.COMPLETED
    assert (later.assessed_on - earlier.assessed_on).days > 150
    assert later.assessed_on.month == timezone.localdate().month
    comparison = compare(earlier, later)
    assert comparison.change > 0 and comparison.up
    actions = RoadmapAction.objects.for_org(org)
    assert actions.filter(status=ActionStatus.DONE).exists()
    assert actions.filter(status=ActionStatus.OPEN).exists()
    assert ChecklistTick.objects.filter(organization=org).count() == 2
    assert later.items.filter(decision=Decision.OVERRIDDEN).exclude(note="").exists()
    load_demo(password="a-demo-password-123")  # a second time: nothing new, no error
    assert Assessment.objects.for_org(org).count() == 2
    # its summary for top management still fits on two pages
    client = Client()
    client.force_login(org.memberships.get(user__username="daniel.okafor").user)
    response = client.get(
        reverse("readiness_report_pdf", kwargs={"org": org.slug, "assessment_id": later.pk})
    )
    text, pages = pdf_text(response.content)
    assert pages <= 2 and "Northwind Credit" in text and "Clear progress" in text


def test_the_api_takes_a_date_as_text_never_as_a_number(world):
    """pydantic would read 0 as 1970-01-01 and 1.7e9 as a day in 2023; every input schema of
    the API refuses a number where a date or a time goes, and nothing is saved."""
    api = ApiClient.for_member(world.manager, world.org)
    for number in (0, 1_700_000_000, 1.5, True):
        response = api.post("/api/v1/readiness/assessments", {"title": "T", "assessed_on": number})
        assert response.status_code == 422, response.content
        assert "Enter a date as YYYY-MM-DD." in response.content.decode()
    assert not Assessment.objects.filter(organization=world.org).exists()
    response = api.post("/api/v1/readiness/assessments", {"title": "T", "assessed_on": str(TODAY)})
    assert response.status_code == 201, response.content
    assert response.json()["assessed_on"] == str(TODAY)
