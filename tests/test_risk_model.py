"""Risk levels, appetite, acceptance decisions, the register's QuerySet and the heat map."""

import datetime as dt

import helpers
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims.risk import services
from aims.risk.heatmap import heatmap
from aims.risk.models import Level, Risk, RiskAcceptance, RiskMatrix, Status

TODAY = timezone.localdate()


def make_risk(world, likelihood, impact, **fields):
    fields.setdefault("title", f"Risk {likelihood}x{impact}")
    return helpers.make_risk(
        world.org, actor=world.owner, likelihood=likelihood, impact=impact, **fields
    )


def fresh(risk):
    return Risk.objects.select_related("organization__risk_matrix").get(pk=risk.pk)


def matrix_of(world):
    return RiskMatrix.objects.get(organization=world.org)


@pytest.mark.parametrize(
    "score, level",
    [(1, Level.LOW), (4, Level.LOW), (5, Level.MEDIUM), (9, Level.MEDIUM), (10, Level.HIGH)]
    + [(15, Level.HIGH), (16, Level.CRITICAL), (25, Level.CRITICAL)],
)
def test_default_matrix_puts_each_score_in_its_band(world, score, level):
    assert matrix_of(world).level_for(score) == level


def test_bands_cover_every_score_once(world):
    matrix = matrix_of(world)
    assert matrix.bands() == [
        (Level.LOW, 1, 4),
        (Level.MEDIUM, 5, 9),
        (Level.HIGH, 10, 15),
        (Level.CRITICAL, 16, 25),
    ]
    assert matrix.level_for(None) is None


def test_appetite_is_the_top_of_its_band(world):
    matrix = matrix_of(world)
    assert matrix.appetite_max_score == 9
    assert not matrix.is_above_appetite(9)
    assert matrix.is_above_appetite(10)
    matrix.appetite = Level.CRITICAL
    assert not matrix.is_above_appetite(25)
    matrix.appetite = Level.LOW
    assert matrix.is_above_appetite(5)


def test_level_is_residual_once_assessed(world):
    risk = make_risk(world, 4, 4)
    assert risk.inherent_score == 16
    assert risk.level() == Level.CRITICAL
    assert risk.residual_level() is None
    risk.residual_likelihood, risk.residual_impact = 2, 2
    services.save_risk(risk, actor=world.owner)
    risk = fresh(risk)
    assert risk.inherent_level() == Level.CRITICAL
    assert risk.residual_level() == Level.LOW
    assert risk.level() == Level.LOW
    assert not risk.is_above_appetite()


def test_scale_labels_come_from_the_matrix(world):
    matrix = matrix_of(world)
    assert matrix.likelihood_label(4) == "4 · Likely"
    assert matrix.impact_label(5) == "5 · Severe"
    assert matrix.impact_label(None) == ""


def test_a_closed_risk_is_never_above_appetite(world):
    risk = make_risk(world, 5, 5, status=Status.CLOSED)
    assert not fresh(risk).is_above_appetite()
    assert not fresh(risk).needs_decision()


def test_risk_above_appetite_needs_decision_until_accepted(world):
    risk = make_risk(world, 4, 4)
    assert fresh(risk).needs_decision()
    services.accept_risk(
        fresh(risk), actor=world.owner, rationale="Pilot only", expires_on=TODAY + dt.timedelta(30)
    )
    assert not fresh(risk).needs_decision()
    annotated = Risk.objects.with_acceptance().get(pk=risk.pk)
    assert annotated.has_current_acceptance is True
    assert not annotated.needs_decision()


def test_expired_acceptance_needs_decision_again(world):
    risk = make_risk(world, 4, 4)
    services.accept_risk(
        fresh(risk),
        actor=world.owner,
        rationale="Last year",
        expires_on=TODAY - dt.timedelta(days=1),
        today=TODAY - dt.timedelta(days=60),
    )
    assert RiskAcceptance.objects.filter(risk=risk).count() == 1
    assert fresh(risk).needs_decision()
    assert Risk.objects.with_acceptance().get(pk=risk.pk).needs_decision()


def test_a_higher_score_than_accepted_needs_decision_again(world):
    risk = make_risk(world, 3, 4)
    services.accept_risk(
        fresh(risk), actor=world.owner, rationale="OK at 12", expires_on=TODAY + dt.timedelta(90)
    )
    assert not fresh(risk).needs_decision()
    risk = fresh(risk)
    risk.inherent_likelihood = 5
    services.save_risk(risk, actor=world.owner)
    assert fresh(risk).needs_decision()
    assert Risk.objects.with_acceptance().get(pk=risk.pk).needs_decision()
    # A lower score stays covered by the decision.
    risk = fresh(risk)
    risk.inherent_likelihood = 2
    services.save_risk(risk, actor=world.owner)
    assert not fresh(risk).needs_decision()


def test_acceptance_requires_authority(world):
    risk = make_risk(world, 4, 4)
    with pytest.raises(ValidationError):
        services.accept_risk(
            fresh(risk), actor=world.contributor, rationale="x", expires_on=TODAY + dt.timedelta(9)
        )
    assert not RiskAcceptance.objects.exists()


def test_queryset_finds_above_appetite_needing_decision_and_overdue(world):
    matrix = matrix_of(world)
    low = make_risk(world, 1, 2, next_review=TODAY - dt.timedelta(days=1))
    high = make_risk(world, 3, 4)
    accepted = make_risk(world, 4, 5, next_review=TODAY + dt.timedelta(days=10))
    closed = make_risk(world, 5, 5, status=Status.CLOSED, next_review=TODAY - dt.timedelta(9))
    services.accept_risk(
        fresh(accepted), actor=world.manager, rationale="ok", expires_on=TODAY + dt.timedelta(9)
    )
    risks = Risk.objects.for_org(world.org)
    assert set(risks.above_appetite(matrix)) == {high, accepted}
    assert set(risks.needs_decision(matrix)) == {high}
    assert set(risks.for_register().waiting_decision(matrix)) == {high}
    assert set(risks.review_overdue()) == {low}
    assert closed not in risks.open()


def test_queryset_filters_by_current_level_and_heat_map_cell(world):
    matrix = matrix_of(world)
    treated = make_risk(world, 4, 4, residual_likelihood=1, residual_impact=3)
    medium = make_risk(world, 2, 3)
    risks = Risk.objects.for_org(world.org)
    assert set(risks.at_level(matrix, Level.LOW)) == {treated}
    assert set(risks.at_level(matrix, Level.MEDIUM)) == {medium}
    assert not risks.at_level(matrix, Level.CRITICAL).exists()
    assert set(risks.in_cell(4, 4)) == {treated}
    assert set(risks.in_cell(1, 3, residual=True)) == {treated}
    assert not risks.in_cell(1, 3).exists()


def test_search_looks_at_id_title_and_description(world):
    a = make_risk(world, 2, 2, title="Biased scoring", description="Gender proxy")
    b = make_risk(world, 2, 2, title="Model drift")
    risks = Risk.objects.for_org(world.org)
    assert set(risks.search("proxy")) == {a}
    assert set(risks.search(b.ref)) == {b}
    assert set(risks.search("  ")) == {a, b}


def test_matrix_change_moves_levels_of_existing_risks(world):
    risk = make_risk(world, 3, 4)  # 12
    assert fresh(risk).level() == Level.HIGH
    assert fresh(risk).needs_decision()
    matrix = matrix_of(world)
    matrix.medium_max, matrix.high_max = 12, 20
    services.update_matrix(matrix, actor=world.owner)
    risk = fresh(risk)
    assert risk.level() == Level.MEDIUM
    assert not risk.is_above_appetite()
    assert not Risk.objects.needs_decision(matrix_of(world)).exists()


def test_matrix_refuses_to_drop_levels_in_use(world):
    make_risk(world, 5, 2, residual_likelihood=2, residual_impact=4)
    matrix = matrix_of(world)
    matrix.likelihood_labels = ["Low", "Medium", "High", "Very high"]
    matrix.impact_labels = ["Low", "Medium", "High"]
    matrix.low_max, matrix.medium_max, matrix.high_max = 2, 5, 8
    with pytest.raises(ValidationError) as error:
        services.update_matrix(matrix, actor=world.owner)
    assert set(error.value.message_dict) == {"likelihood_labels", "impact_labels"}
    assert len(matrix_of(world).likelihood_labels) == 5


def test_heat_map_counts_open_risks_per_cell(world):
    make_risk(world, 4, 4, residual_likelihood=2, residual_impact=2)
    make_risk(world, 4, 4)
    make_risk(world, 1, 5)
    make_risk(world, 4, 4, status=Status.CLOSED)
    matrix = matrix_of(world)
    open_risks = Risk.objects.for_org(world.org).open()
    inherent = heatmap(matrix, open_risks)
    cells = {(c.likelihood, c.impact): c for _, row in inherent.rows for c in row}
    assert inherent.total == 3
    assert cells[(4, 4)].count == 2
    assert cells[(1, 5)].count == 1
    assert cells[(4, 4)].level == Level.CRITICAL
    assert cells[(4, 4)].above_appetite
    assert not cells[(1, 5)].above_appetite
    assert inherent.rows[0][0] == "Almost certain"
    residual = heatmap(matrix, open_risks, residual=True)
    assert residual.total == 1
    assert {(c.likelihood, c.impact) for _, r in residual.rows for c in r if c.count} == {(2, 2)}
