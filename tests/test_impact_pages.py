"""The pages of impact assessments: list, form, findings formset, detail, sign-off, FRIA view,
the sections on the system and risk pages; every forbidden path refused with a message and the
database unchanged."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from impact_helpers import COMPLETE, complete, make_system, signed, start, submitted

from aims.impact.models import Dimension, ImpactAssessment, Status
from aims.inventory.models import OrganizationRole, RiskTier, Stage
from aims.inventory.services import save_system
from aims.risk.models import Risk


def url(world, name, **kwargs) -> str:
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def follow_message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_list_filters_by_system_status_and_currency_and_exports(world):
    credit = make_system(world, name="Credit scoring")
    chat = make_system(world, name="Chat")
    draft = start(world, credit)
    current = signed(world, chat)
    client = world.client(world.viewer)

    everything = client.get(url(world, "impact_list"))
    by_system = client.get(url(world, "impact_list"), {"system": chat.slug})
    drafts = client.get(url(world, "impact_list"), {"status": "draft"})
    currents = client.get(url(world, "impact_list"), {"currency": "current"})
    overdue = client.get(url(world, "impact_list"), {"currency": "overdue"})
    export = client.get(url(world, "impact_export_csv"), {"status": "signed_off"})

    assert [a.pk for a in everything.context["assessments"]] == [current.pk, draft.pk]
    assert [a.pk for a in by_system.context["assessments"]] == [current.pk]
    assert [a.pk for a in drafts.context["assessments"]] == [draft.pk]
    assert [a.pk for a in currents.context["assessments"]] == [current.pk]
    assert overdue.context["assessments"] == [] and "No impact assessment matches" in (
        overdue.content.decode()
    )
    rows = export.content.decode().splitlines()
    assert rows[0].startswith("Number,Title,AI system")
    assert len(rows) == 2 and "Chat" in rows[1] and "Current" in rows[1]


def test_an_empty_list_says_what_an_assessment_is(world):
    response = world.client(world.viewer).get(url(world, "impact_list"))
    assert "No impact assessments yet" in response.content.decode()


def test_creating_from_the_system_page_prefills_and_creates_findings(world):
    system = make_system(world)
    client = world.client(world.contributor)

    form = client.get(url(world, "impact_create") + f"?system={system.pk}")
    response = client.post(
        url(world, "impact_create"),
        {"system": system.pk, "affected_individuals": "Applicants", "controls": [], "clauses": []},
    )

    assert form.context["form"].initial["system"] == system
    assessment = ImpactAssessment.objects.get()
    assert response.status_code == 302 and response.url == assessment.get_absolute_url()
    assert assessment.intended_use == "Officers decide"
    assert assessment.findings.count() == len(Dimension)


def test_a_second_open_assessment_of_a_system_is_refused_beside_the_field(world):
    system = make_system(world)
    start(world, system)

    response = world.client(world.contributor).post(
        url(world, "impact_create"), {"system": system.pk}
    )

    assert response.status_code == 422
    assert "already being written" in response.context["form"].errors["system"][0]
    assert ImpactAssessment.objects.count() == 1


def test_the_findings_formset_saves_every_dimension_and_shows_field_errors(world):
    assessment = start(world, make_system(world))
    findings = list(assessment.findings.order_by("pk"))
    client = world.client(world.contributor)
    page = client.get(url(world, "impact_findings", assessment_id=assessment.pk))
    data = {
        "form-TOTAL_FORMS": str(len(findings)),
        "form-INITIAL_FORMS": str(len(findings)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, finding in enumerate(findings):
        data[f"form-{i}-id"] = str(finding.pk)
        for name, value in COMPLETE.items():
            data[f"form-{i}-{name}"] = str(value)
    data["form-1-not_relevant"] = "on"  # privacy, with no reason
    data["form-2-severity"] = "9"

    refused = client.post(url(world, "impact_findings", assessment_id=assessment.pk), data)

    assert page.status_code == 200 and "Fairness and non-discrimination" in page.content.decode()
    assert refused.status_code == 422
    forms = refused.context["formset"].forms
    assert "Say why this dimension is not relevant." in forms[1].errors["not_relevant_reason"]
    assert "severity" in forms[2].errors
    assert not assessment.findings.exclude(consequences="").exists()

    data["form-1-not_relevant_reason"] = "No personal data is used."
    data["form-2-severity"] = "5"
    saved = client.post(url(world, "impact_findings", assessment_id=assessment.pk), data)

    assert saved.status_code == 302
    privacy = assessment.findings.get(dimension="privacy")
    assert privacy.not_relevant and privacy.not_relevant_reason == "No personal data is used."
    assert assessment.findings.get(dimension="safety").severity == 5
    assessment.refresh_from_db()
    assert assessment.last_edited_by == world.contributor


def test_submit_and_sign_off_from_the_page(world):
    assessment = complete(start(world, make_system(world)), actor=world.contributor)
    detail = assessment.get_absolute_url()

    world.client(world.contributor).post(url(world, "impact_submit", assessment_id=assessment.pk))
    page = world.client(world.manager).get(detail)
    response = world.client(world.manager).post(
        url(world, "impact_sign_off", assessment_id=assessment.pk),
        {"next_reassessment": "", "note": "Reviewed."},
        follow=True,
    )

    assert "Sign off</button>" in page.content.decode()
    assert "Signed off: this is the system" in follow_message(response)
    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF and assessment.signed_by == world.manager


def test_the_author_is_refused_sign_off_on_the_page(world):
    assessment = submitted(world, make_system(world), author=world.manager)
    client = world.client(world.manager)

    page = client.get(assessment.get_absolute_url())
    response = client.post(url(world, "impact_sign_off", assessment_id=assessment.pk), follow=True)

    assert "You wrote this assessment" in page.content.decode()
    assert "Sign off</button>" not in page.content.decode()
    assert "You wrote this assessment" in follow_message(response)
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED and assessment.signed_by is None


def test_a_contributor_cannot_sign_off(world):
    assessment = submitted(world, make_system(world), author=world.manager)

    response = world.client(world.contributor).post(
        url(world, "impact_sign_off", assessment_id=assessment.pk)
    )

    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED


def test_a_signed_off_assessment_cannot_be_edited_from_the_pages(world):
    assessment = signed(world, make_system(world))
    client = world.client(world.owner)

    edit = client.post(
        url(world, "impact_edit", assessment_id=assessment.pk), {"title": "Changed"}, follow=True
    )
    findings = client.get(url(world, "impact_findings", assessment_id=assessment.pk), follow=True)
    detail = client.get(assessment.get_absolute_url()).content.decode()

    assert "no longer changes" in follow_message(edit)
    assert "no longer change" in follow_message(findings)
    assert "Edit findings" not in detail and "Reassess</button>" in detail
    assessment.refresh_from_db()
    assert assessment.title != "Changed"


def test_deleting_a_signed_off_assessment_is_refused_and_a_draft_is_confirmed(world):
    system = make_system(world)
    done = signed(world, system)
    client = world.client(world.owner)

    refused = client.post(url(world, "impact_delete", assessment_id=done.pk), follow=True)
    assert "only a draft is deleted" in follow_message(refused)
    assert ImpactAssessment.objects.filter(pk=done.pk).exists()

    draft = start(world, make_system(world, name="Other"))
    confirm = client.get(url(world, "impact_delete", assessment_id=draft.pk))
    deleted = client.post(url(world, "impact_delete", assessment_id=draft.pk))
    assert confirm.status_code == 200 and "Delete" in confirm.content.decode()
    assert deleted.status_code == 302
    assert not ImpactAssessment.objects.filter(pk=draft.pk).exists()


def test_reassess_from_the_page_opens_the_new_draft(world):
    assessment = signed(world, make_system(world))

    response = world.client(world.contributor).post(
        url(world, "impact_reassess", assessment_id=assessment.pk)
    )

    copied = ImpactAssessment.objects.get(previous=assessment)
    assert response.status_code == 302 and response.url == copied.get_absolute_url()
    assert copied.status == Status.DRAFT


def test_raise_risk_from_a_row_links_the_risk_and_the_risk_page_names_the_assessment(world):
    assessment = complete(start(world, make_system(world)), actor=world.contributor)
    finding = assessment.findings.get(dimension="fairness")
    client = world.client(world.contributor)

    response = client.post(
        url(world, "impact_raise_risk", assessment_id=assessment.pk, finding_id=finding.pk),
        follow=True,
    )
    again = client.post(
        url(world, "impact_raise_risk", assessment_id=assessment.pk, finding_id=finding.pk),
        follow=True,
    )

    risk = Risk.objects.get()
    assert "Risk R-001 raised" in follow_message(response)
    assert "already raised R-001" in follow_message(again)
    assert list(finding.risks.all()) == [risk]
    risk_page = client.get(risk.get_absolute_url()).content.decode()
    assert "Raised by impact assessment" in risk_page and assessment.title in risk_page
    detail = client.get(assessment.get_absolute_url()).content.decode()
    assert risk.get_absolute_url() in detail


def test_the_system_page_lists_its_assessments_with_a_button_to_start(world):
    from helpers import move_through

    system = move_through(make_system(world), Stage.VALIDATION, actor=world.owner)
    client = world.client(world.contributor)

    empty = client.get(system.get_absolute_url()).content.decode()
    assessment = signed(world, system)
    listed = client.get(system.get_absolute_url()).content.decode()

    assert "Start an impact assessment" in empty and "needs one before deployment" in empty
    assert assessment.title in listed and "Current" in listed
    assert "A current impact assessment is signed off" in listed  # the gate box


def test_the_fria_view_says_when_article_27_applies(world):
    deployed = make_system(
        world,
        name="Bought scoring",
        risk_tier=RiskTier.HIGH,
        organization_role=OrganizationRole.DEPLOYER,
    )
    built = make_system(world, name="Own scoring", risk_tier=RiskTier.HIGH)
    a = start(world, deployed, deployer_process="Underwriting of personal loans.")
    b = start(world, built)
    client = world.client(world.viewer)

    applies = client.get(url(world, "impact_fria", assessment_id=a.pk)).content.decode()
    other = client.get(url(world, "impact_fria", assessment_id=b.pk)).content.decode()
    detail = client.get(a.get_absolute_url()).content.decode()

    assert "Art. 27 asks for this assessment before the system is first used" in applies
    assert "Underwriting of personal loans." in applies
    assert "impact/print.css" in applies
    assert "applies to <em>deployers</em>" in other
    assert url(world, "impact_fria", assessment_id=a.pk) in detail


def test_the_dashboard_shows_due_and_overdue_reassessments(world):
    system = make_system(world)
    assessment = signed(world, system)
    ImpactAssessment.objects.filter(pk=assessment.pk).update(
        next_reassessment=timezone.localdate() - dt.timedelta(days=2)
    )
    changed = make_system(world, name="Chat")
    signed(world, changed)
    changed.version = "5"
    save_system(changed, actor=world.owner)

    response = world.client(world.viewer).get(url(world, "dashboard"))

    content = response.content.decode()
    assert "Impact reassessments due" in content
    assert "overdue since" in content
    assert "the system changed since the sign-off" in content
