"""Risk register pages: list, export, create and edit, detail, acceptance, delete, matrix."""

import csv
import datetime as dt
import io

import helpers
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.catalog.models import Control, RiskSource
from aims.inventory.models import AISystem
from aims.risk import services
from aims.risk.models import Risk, RiskAcceptance, RiskMatrix, Status
from aims.trail.models import Action, AuditEvent

TODAY = timezone.localdate()


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def make_system(org, name="Credit scoring"):
    return AISystem.objects.create(organization=org, name=name, slug=name.lower().replace(" ", "-"))


def make_risk(world, likelihood=4, impact=4, *, org=None, systems=None, **fields):
    fields.setdefault("title", "Unfair credit decisions")
    return helpers.make_risk(
        org or world.org,
        actor=world.owner,
        likelihood=likelihood,
        impact=impact,
        systems=systems,
        **fields,
    )


def form_data(**overrides):
    data = {
        "title": "Unfair credit decisions",
        "description": "Applicants from some postcodes are refused more often.",
        "category": "fairness",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "treatment": "modify",
        "treatment_plan": "Reweigh the training data and monitor approval rates.",
        "treatment_due": "",
        "residual_likelihood": "",
        "residual_impact": "",
        "next_review": "",
        "status": "identified",
    }
    data.update(overrides)
    return data


# List


def test_list_shows_register_with_levels_and_needs_decision_badge(world):
    system = make_system(world.org)
    make_risk(world, 4, 4, systems=[system], title="Biased approvals")
    make_risk(world, 1, 2, title="Slow batch run")
    response = world.client(world.viewer).get(url(world, "risk_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Biased approvals" in html and "Slow batch run" in html
    assert "Credit scoring" in html
    assert html.count("Needs decision</span>") == 1
    assert "badge-critical" in html
    assert "Inherent risk heat map" in html and "Residual risk heat map" in html


def test_list_empty_state(world):
    response = world.client(world.contributor).get(url(world, "risk_list"))
    assert response.status_code == 200
    assert "No risks recorded yet" in response.content.decode()


def test_list_filters_search_level_decision_overdue_and_cell(world):
    critical = make_risk(world, 4, 4, title="Biased approvals")
    low = make_risk(world, 1, 2, title="Slow batch", next_review=TODAY - dt.timedelta(days=3))
    client = world.client(world.auditor)

    def refs(**params):
        response = client.get(url(world, "risk_list"), params)
        assert response.status_code == 200
        return {r.ref for r in response.context["risks"]}

    assert refs(q="batch") == {low.ref}
    assert refs(level="critical") == {critical.ref}
    assert refs(needs_decision="on") == {critical.ref}
    assert refs(overdue="on") == {low.ref}
    assert refs(inherent_cell="4-4") == {critical.ref}
    assert refs(residual_cell="4-4") == set()
    assert refs(status="closed") == set()
    assert refs(category="privacy") == set()
    assert refs(owner=str(world.owner.pk)) == set()


def test_list_filters_by_system(world):
    system = make_system(world.org)
    linked = make_risk(world, systems=[system])
    make_risk(world, title="Other")
    response = world.client(world.viewer).get(url(world, "risk_list"), {"system": system.slug})
    assert [r.ref for r in response.context["risks"]] == [linked.ref]


def test_list_query_count_equal_for_3_and_30_risks(world):
    client = world.client(world.viewer)
    system = make_system(world.org)

    def queries_for_list():
        client.get(url(world, "risk_list"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(world, "risk_list"))
        assert response.status_code == 200
        return len(queries), len(response.context["risks"])

    for n in range(3):
        make_risk(world, 1 + n, 4, systems=[system], owner=world.manager, title=f"A {n}")
    few, shown_few = queries_for_list()
    for n in range(27):
        make_risk(world, 1 + n % 5, 1 + n % 3, systems=[system], title=f"B {n}")
    many, shown_many = queries_for_list()
    assert (shown_few, shown_many) == (3, 30)
    assert few == many, (few, many)


def test_outsider_gets_404_on_list_and_other_orgs_risk(world):
    foreign = make_risk(world, org=world.other_org)
    assert world.client(world.outsider).get(url(world, "risk_list")).status_code == 404
    client = world.client(world.owner)
    for name in ("risk_detail", "risk_edit", "risk_accept"):
        assert client.get(url(world, name, risk_id=foreign.pk)).status_code == 404
    response = client.post(url(world, "risk_delete", risk_id=foreign.pk))
    assert response.status_code == 404
    assert Risk.objects.filter(pk=foreign.pk).exists()


# Export


def test_csv_export_has_all_fields_and_levels_as_words(world):
    system = make_system(world.org)
    control = Control.objects.get(ref="A.5.2")
    risk = make_risk(
        world, 4, 4, systems=[system], residual_likelihood=2, residual_impact=3, owner=world.owner
    )
    services.save_risk(risk, actor=world.owner, controls=[control])
    make_risk(world, 1, 1, title='=HYPERLINK("x")')
    response = world.client(world.viewer).get(url(world, "risk_export_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2
    row = next(r for r in rows if r["ID"] == risk.ref)
    assert row["Inherent level"] == "Critical"
    assert row["Inherent score"] == "16"
    assert row["Residual level"] == "Medium"
    assert row["Inherent likelihood"] == "4 · Likely"
    assert row["AI systems"] == "Credit scoring"
    assert row["Annex A controls"].startswith("A.5.2 ")
    assert row["Category"] == "Fairness"
    assert row["Above appetite"] == "No"
    other = next(r for r in rows if r["ID"] != risk.ref)
    assert other["Title"].startswith("'=")  # not run as a formula by a spreadsheet


def test_csv_export_follows_filters(world):
    make_risk(world, 4, 4, title="Biased approvals")
    make_risk(world, 1, 1, title="Tiny")
    response = world.client(world.viewer).get(url(world, "risk_export_csv"), {"level": "low"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Title"] for r in rows] == ["Tiny"]


# Create and edit


def test_contributor_creates_risk_with_systems_source_and_controls(world):
    system = make_system(world.org)
    source = RiskSource.objects.order_by("position").first()
    control = Control.objects.get(ref="A.5.2")
    data = form_data(
        systems=[system.pk], source=source.pk, controls=[control.pk], owner=world.manager.pk
    )
    response = world.client(world.contributor).post(url(world, "risk_create"), data)
    risk = Risk.objects.get(organization=world.org)
    assert response.status_code == 302
    assert response["Location"] == url(world, "risk_detail", risk_id=risk.pk)
    assert risk.ref == "R-001"
    assert list(risk.systems.all()) == [system]
    assert list(risk.controls.all()) == [control]
    assert risk.source == source and risk.owner == world.manager
    assert AuditEvent.objects.for_record(risk).filter(action=Action.CREATE).exists()


def test_create_form_uses_matrix_labels(world):
    response = world.client(world.contributor).get(url(world, "risk_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 · Likely" in html and "5 · Severe" in html
    assert str(RiskSource.objects.order_by("position").first().ref) in html


def test_create_refuses_other_orgs_system_and_outside_owner(world):
    foreign = make_system(world.other_org, "Foreign")
    data = form_data(systems=[foreign.pk], owner=world.outsider.pk)
    response = world.client(world.owner).post(url(world, "risk_create"), data)
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"systems", "owner"}
    assert not Risk.objects.filter(organization=world.org).exists()


def test_create_needs_both_residual_values(world):
    response = world.client(world.owner).post(
        url(world, "risk_create"), form_data(residual_likelihood="2")
    )
    assert response.status_code == 422
    assert "residual_impact" in response.context["form"].errors
    assert "Give both residual" in response.content.decode()
    assert not Risk.objects.exists()


def test_viewer_and_auditor_cannot_create_or_edit(world):
    risk = make_risk(world)
    for user in (world.viewer, world.auditor):
        client = world.client(user)
        assert client.get(url(world, "risk_create")).status_code == 403
        assert client.post(url(world, "risk_create"), form_data()).status_code == 403
        edit = url(world, "risk_edit", risk_id=risk.pk)
        assert client.post(edit, form_data(title="Changed")).status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Unfair credit decisions"
    assert Risk.objects.count() == 1


def test_contributor_edits_residual_risk(world):
    risk = make_risk(world)
    data = form_data(residual_likelihood="2", residual_impact="2", status="treated")
    response = world.client(world.contributor).post(url(world, "risk_edit", risk_id=risk.pk), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.residual_likelihood, risk.residual_impact, risk.status) == (2, 2, Status.TREATED)
    assert risk.ref == "R-001"
    assert AuditEvent.objects.for_record(risk).filter(action=Action.UPDATE).exists()


# Detail


def test_detail_shows_levels_and_decision_call_out_only_to_deciders(world):
    risk = make_risk(world)
    detail = url(world, "risk_detail", risk_id=risk.pk)
    accept = url(world, "risk_accept", risk_id=risk.pk)
    owner_html = world.client(world.owner).get(detail).content.decode()
    assert "Needs decision" in owner_html and accept in owner_html
    assert "4 · Likely" in owner_html and "Critical" in owner_html
    assert "Above appetite" in owner_html
    assert accept in world.client(world.top_manager).get(detail).content.decode()
    response = world.client(world.contributor).get(detail)
    assert response.status_code == 200
    assert "Needs decision" in response.content.decode()
    assert accept not in response.content.decode()


# Acceptance


def test_manager_accepts_risk(world):
    risk = make_risk(world)
    expiry = TODAY + dt.timedelta(days=180)
    response = world.client(world.manager).post(
        url(world, "risk_accept", risk_id=risk.pk),
        {"rationale": "Pilot with 100 customers", "expires_on": expiry.isoformat()},
    )
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert (acceptance.accepted_score, acceptance.expires_on) == (16, expiry)
    assert acceptance.decided_by == world.manager
    risk.refresh_from_db()
    assert not risk.needs_decision()
    assert AuditEvent.objects.for_record(risk).filter(action=Action.DECISION).exists()


def test_top_management_viewer_can_accept_but_contributor_cannot(world):
    risk = make_risk(world)
    data = {"rationale": "Board decision", "expires_on": (TODAY + dt.timedelta(30)).isoformat()}
    accept = url(world, "risk_accept", risk_id=risk.pk)
    for user in (world.contributor, world.viewer, world.auditor):
        assert world.client(user).get(accept).status_code == 403
        assert world.client(user).post(accept, data).status_code == 403
    assert not RiskAcceptance.objects.exists()
    client = world.client(world.top_manager)
    page = client.get(accept)
    assert page.status_code == 200 and "Score to accept" in page.content.decode()
    assert client.post(accept, data).status_code == 302
    assert RiskAcceptance.objects.get(risk=risk).authority == "Top management"


def test_accept_refuses_past_expiry_and_blank_rationale(world):
    risk = make_risk(world)
    response = world.client(world.owner).post(
        url(world, "risk_accept", risk_id=risk.pk),
        {"rationale": "  ", "expires_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "rationale" in form.errors
    response = world.client(world.owner).post(
        url(world, "risk_accept", risk_id=risk.pk),
        {"rationale": "ok", "expires_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    assert "expires_on" in response.context["form"].errors
    assert not RiskAcceptance.objects.exists()


def test_accept_refuses_risk_within_appetite(world):
    risk = make_risk(world, 1, 2)
    response = world.client(world.owner).post(
        url(world, "risk_accept", risk_id=risk.pk),
        {"rationale": "ok", "expires_on": (TODAY + dt.timedelta(9)).isoformat()},
    )
    assert response.status_code == 422
    assert "within appetite" in " ".join(response.context["form"].non_field_errors())
    assert not RiskAcceptance.objects.exists()


# Delete


def test_manager_deletes_risk_with_audit(world):
    risk = make_risk(world)
    response = world.client(world.manager).post(url(world, "risk_delete", risk_id=risk.pk))
    assert response.status_code == 302
    assert not Risk.objects.filter(pk=risk.pk).exists()
    assert AuditEvent.objects.filter(
        record_id=str(risk.pk), action=Action.DELETE, organization=world.org
    ).exists()


def test_delete_needs_post_and_manage(world):
    risk = make_risk(world)
    delete = url(world, "risk_delete", risk_id=risk.pk)
    assert world.client(world.owner).get(delete).status_code == 405
    for user in (world.contributor, world.viewer, world.top_manager):
        assert world.client(user).post(delete).status_code == 403
    assert Risk.objects.filter(pk=risk.pk).exists()


# Matrix


def test_matrix_page_shows_labels_bands_and_appetite(world):
    response = world.client(world.viewer).get(url(world, "risk_matrix"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Almost certain" in html and "Severe" in html
    assert "16–25" in html and "Medium" in html


def matrix_data(**overrides):
    data = {
        "likelihood_labels": "Rare\nPossible\nLikely\nVery likely",
        "impact_labels": "Minor\nModerate\nMajor\nSevere",
        "low_max": "3",
        "medium_max": "6",
        "high_max": "11",
        "appetite": "medium",
    }
    data.update(overrides)
    return data


def test_owner_edits_matrix_and_existing_risks_follow(world):
    risk = make_risk(world, 3, 3)  # 9: medium under the default matrix
    assert risk.level() == "medium"
    response = world.client(world.owner).post(url(world, "risk_matrix_edit"), matrix_data())
    assert response.status_code == 302
    matrix = RiskMatrix.objects.get(organization=world.org)
    assert matrix.likelihood_labels == ["Rare", "Possible", "Likely", "Very likely"]
    assert (matrix.low_max, matrix.medium_max, matrix.high_max) == (3, 6, 11)
    risk = Risk.objects.get(pk=risk.pk)
    assert risk.level() == "high"
    assert risk.needs_decision()


def test_matrix_edit_refuses_to_drop_levels_in_use(world):
    make_risk(world, 5, 5)
    response = world.client(world.owner).post(url(world, "risk_matrix_edit"), matrix_data())
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "likelihood_labels" in errors and "impact_labels" in errors
    assert len(RiskMatrix.objects.get(organization=world.org).likelihood_labels) == 5


def test_matrix_edit_refuses_bands_that_do_not_rise(world):
    response = world.client(world.owner).post(
        url(world, "risk_matrix_edit"), matrix_data(medium_max="2")
    )
    assert response.status_code == 422
    assert "high_max" in response.context["form"].errors
    assert RiskMatrix.objects.get(organization=world.org).medium_max == 9


def test_only_owner_edits_matrix(world):
    edit = url(world, "risk_matrix_edit")
    for user in (world.manager, world.contributor, world.viewer, world.top_manager):
        assert world.client(user).get(edit).status_code == 403
        assert world.client(user).post(edit, matrix_data()).status_code == 403
    assert world.client(world.outsider).get(edit).status_code == 404
    assert RiskMatrix.objects.get(organization=world.org).medium_max == 9


def test_a_risk_with_history_or_links_is_not_deleted_but_closed(world):
    from aims.core.errors import Refused
    from aims.evidence.models import Evidence
    from aims.evidence.services import create_evidence

    risk = make_risk(world)
    assert services.deletion_blockers(risk) == []
    create_evidence(
        Evidence(
            organization=world.org,
            title="Bias review",
            kind="link",
            url="https://example.test/review",
            effective_from=dt.date(2026, 1, 1),
        ),
        actor=world.owner,
        links={"risks": [risk]},
    )
    assert services.deletion_blockers(risk) == ["1 evidence names it"]
    client = world.client(world.manager)
    page = client.get(url(world, "risk_detail", risk_id=risk.pk)).content.decode()
    assert "btn btn-danger" not in page
    response = client.post(url(world, "risk_delete", risk_id=risk.pk), follow=True)
    assert "cannot be deleted: 1 evidence names it" in response.content.decode()
    assert Risk.objects.filter(pk=risk.pk).exists()
    with pytest.raises(Refused, match="Close it instead"):
        services.delete_risk(risk, actor=world.owner)


@pytest.mark.parametrize("score", [None, 0, 12, ""])
@pytest.mark.parametrize("level", [None, "low", "critical"])
def test_the_level_badge_is_the_markup_of_the_old_include(level, score):
    """risk/_level.html was a template; its markup is now the tag level_badge, which the
    register draws twice a row. Same HTML, with or without a score."""
    from django.template import Context, Template

    from aims.risk.models import Level

    old = Template(
        '{% if level %}<span class="badge badge-{{ level }}">{{ level.label }}</span>'
        '{% if score is not None %} <span class="muted small" title="Score: likelihood × '
        'impact">{{ score }}</span>{% endif %}{% else %}<span class="muted small">Not assessed'
        "</span>{% endif %}"
    )
    context = {"level": Level(level) if level else None}
    if score != "":  # "": the include was given no score
        context["score"] = score
    expected = old.render(Context(context))
    tag = Template("{% load risk_tags %}{% level_badge level score %}")
    include = Template('{% include "risk/_level.html" %}')
    assert tag.render(Context(context)) == expected
    assert include.render(Context(context)) == expected
