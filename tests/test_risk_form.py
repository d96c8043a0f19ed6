"""The new-risk form: likelihood and impact start empty and must be chosen (no risk becomes
"Low, within appetite" by default), with a live preview of the score and its level."""

import re

from django.urls import reverse

from aims.risk import services
from aims.risk.models import Risk, RiskMatrix


def url(world, name, **kwargs):
    return reverse(name, kwargs={"org": world.org.slug, **kwargs})


def form_data(**overrides):
    data = {
        "title": "Unfair credit decisions",
        "description": "",
        "category": "fairness",
        "treatment": "",
        "treatment_plan": "",
        "treatment_due": "",
        "residual_likelihood": "",
        "residual_impact": "",
        "next_review": "",
        "status": "identified",
    }
    data.update(overrides)
    return data


def selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_likelihood_and_impact_start_empty_on_a_new_risk(world):
    html = world.client(world.contributor).get(url(world, "risk_create")).content.decode()
    for name in ("inherent_likelihood", "inherent_impact"):
        assert selected(html, name) == [""], name
    assert '<option value="" selected>— choose —</option>' in html
    assert "Choose likelihood and impact to see the score" in html


def test_a_risk_without_likelihood_or_impact_is_refused_in_words(world):
    response = world.client(world.contributor).post(url(world, "risk_create"), form_data())
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["inherent_likelihood"] == [
        "Choose how likely the risk is before any treatment: the level follows."
    ]
    assert errors["inherent_impact"] == [
        "Choose how severe the consequences are before any treatment."
    ]
    assert not Risk.objects.filter(organization=world.org).exists()
    response = world.client(world.contributor).post(
        url(world, "risk_create"), form_data(inherent_likelihood="3")
    )
    assert set(response.context["form"].errors) == {"inherent_impact"}
    assert not Risk.objects.filter(organization=world.org).exists()


def test_a_risk_with_both_chosen_is_recorded_with_its_scores(world):
    response = world.client(world.contributor).post(
        url(world, "risk_create"), form_data(inherent_likelihood="2", inherent_impact="5")
    )
    assert response.status_code == 302
    risk = Risk.objects.get(organization=world.org)
    assert (risk.inherent_likelihood, risk.inherent_impact, risk.inherent_score) == (2, 5, 10)


def test_the_edit_form_keeps_the_values_already_chosen(world):
    risk = services.save_risk(
        Risk(
            organization=world.org,
            title="Drift",
            category="safety",
            inherent_likelihood=4,
            inherent_impact=3,
        ),
        actor=world.owner,
    )
    html = world.client(world.contributor).get(url(world, "risk_edit", risk_id=risk.pk))
    html = html.content.decode()
    assert selected(html, "inherent_likelihood") == ["4"]
    assert selected(html, "inherent_impact") == ["3"]
    assert "Score 12" in html  # the preview shows the saved assessment from the start


def preview(client, path, **params):
    return client.get(path, params, HTTP_HX_REQUEST="true")


def test_the_preview_gives_score_and_level_from_the_matrix_bands(world):
    client = world.client(world.contributor)
    path = url(world, "risk_create")
    response = preview(client, path, part="inherent", inherent_likelihood="3", inherent_impact="4")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<form" not in html and "<html" not in html  # the region alone
    assert "Score 12" in html and "3 · Possible × 4 · Major" in html
    assert 'badge-high">High' in html and "Above appetite" in html
    low = preview(client, path, part="inherent", inherent_likelihood="1", inherent_impact="2")
    assert 'badge-low">Low' in low.content.decode() and "Within appetite" in low.content.decode()
    critical = preview(client, path, part="inherent", inherent_likelihood="5", inherent_impact="5")
    assert "Score 25" in critical.content.decode() and "Critical" in critical.content.decode()


def test_the_preview_follows_a_changed_matrix(world):
    matrix = RiskMatrix.objects.get(organization=world.org)
    matrix.low_max, matrix.medium_max, matrix.high_max = 11, 13, 20
    matrix.appetite = "low"
    services.update_matrix(matrix, actor=world.owner)
    response = preview(
        world.client(world.contributor),
        url(world, "risk_create"),
        part="inherent",
        inherent_likelihood="3",
        inherent_impact="4",
    )
    html = response.content.decode()
    assert 'badge-medium">Medium' in html and "Above appetite" in html


def test_the_preview_asks_for_both_values_and_ignores_values_off_the_matrix(world):
    client = world.client(world.contributor)
    path = url(world, "risk_create")
    for params in (
        {"inherent_likelihood": "3"},
        {"inherent_likelihood": "9", "inherent_impact": "2"},
        {"inherent_likelihood": "x", "inherent_impact": "-1"},
    ):
        html = preview(client, path, part="inherent", **params).content.decode()
        assert "Choose likelihood and impact" in html and "Score" not in html, params
    residual = preview(client, path, part="residual", residual_likelihood="2").content.decode()
    assert "Choose both residual values" in residual
    both = preview(
        client, path, part="residual", residual_likelihood="2", residual_impact="2"
    ).content.decode()
    assert "Residual score 4" in both


def test_the_preview_updates_by_htmx_from_the_select_changes_without_inline_script(world):
    html = world.client(world.contributor).get(url(world, "risk_create")).content.decode()
    region = re.search(r'<p class="score-preview" id="inherent-preview"[^>]*>', html).group(0)
    assert f'hx-get="{url(world, "risk_create")}?part=inherent"' in region
    assert "change from:#id_inherent_likelihood" in region
    assert 'hx-include="#id_inherent_likelihood, #id_inherent_impact"' in region
    assert "<script>" not in html and " onchange=" not in html
    # The page gives up its blanket hx-disable for the previews only: the rest keeps it.
    assert '<main id="main">' in html
    assert html.count("hx-disable") >= 5


def test_the_preview_needs_the_same_access_as_the_form(world):
    params = {"part": "inherent", "inherent_likelihood": "3", "inherent_impact": "4"}
    path = url(world, "risk_create")
    assert preview(world.client(world.viewer), path, **params).status_code == 403
    assert preview(world.client(world.outsider), path, **params).status_code == 404
