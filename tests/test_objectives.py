"""AI objectives and KPIs: status rules, measurements by hand, CSV import, check runs, app
measures, pages, scoping and the API."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.api.urls import api as api_root
from aims.checks.models import Check, Kind, SourceType
from aims.checks.samples import BIASED
from aims.checks.services import run_check, save_check, store_data_file
from aims.core import areas
from aims.core.areas import DueItem, Measure, due_items
from aims.core.errors import Refused
from aims.objectives import services
from aims.objectives.models import (
    KPI,
    Direction,
    KPISource,
    KPIStatus,
    Measurement,
    MeasurementSource,
    Objective,
    ObjectiveStatus,
)
from aims.trail.models import AuditEvent
from tests.helpers import ApiClient

TODAY = dt.date(2026, 6, 15)


def kpi_of(world, **fields) -> KPI:
    fields.setdefault("name", "Staff trained")
    fields.setdefault("target", Decimal(90))
    return services.save_kpi(KPI(organization=world.org, **fields), actor=world.owner)


def objective_of(world, **fields) -> Objective:
    fields.setdefault("title", "All AIMS staff trained")
    fields.setdefault("deadline", timezone.localdate() + dt.timedelta(days=60))
    return services.save_objective(Objective(organization=world.org, **fields), actor=world.owner)


# --- Status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "direction,target,tolerance,band,value,expected",
    [
        # Higher is better, target 90, tolerance 5: 90 and above on, 85 to 90 at risk, below off.
        (Direction.HIGHER, 90, 5, 0, "95", KPIStatus.ON_TARGET),
        (Direction.HIGHER, 90, 5, 0, "90", KPIStatus.ON_TARGET),
        (Direction.HIGHER, 90, 5, 0, "87.5", KPIStatus.AT_RISK),
        (Direction.HIGHER, 90, 5, 0, "85", KPIStatus.AT_RISK),
        (Direction.HIGHER, 90, 5, 0, "84.99", KPIStatus.OFF_TARGET),
        (Direction.HIGHER, 90, 0, 0, "89.9", KPIStatus.OFF_TARGET),
        # Lower is better, target 0.1, tolerance 0.05: 0.1 and below on, to 0.15 at risk.
        (Direction.LOWER, "0.1", "0.05", 0, "0.08", KPIStatus.ON_TARGET),
        (Direction.LOWER, "0.1", "0.05", 0, "0.1", KPIStatus.ON_TARGET),
        (Direction.LOWER, "0.1", "0.05", 0, "0.15", KPIStatus.AT_RISK),
        (Direction.LOWER, "0.1", "0.05", 0, "0.151", KPIStatus.OFF_TARGET),
        # Within a band of 2 around 10, tolerance 1: 8 to 12 on, 7 or 13 at risk, 6.5 off.
        (Direction.BAND, 10, 1, 2, "12", KPIStatus.ON_TARGET),
        (Direction.BAND, 10, 1, 2, "8", KPIStatus.ON_TARGET),
        (Direction.BAND, 10, 1, 2, "13", KPIStatus.AT_RISK),
        (Direction.BAND, 10, 1, 2, "7", KPIStatus.AT_RISK),
        (Direction.BAND, 10, 1, 2, "6.5", KPIStatus.OFF_TARGET),
        (Direction.BAND, 10, 1, 2, "13.01", KPIStatus.OFF_TARGET),
    ],
)
def test_status_follows_direction_target_and_tolerance(
    direction, target, tolerance, band, value, expected
):
    kpi = KPI(target=Decimal(target), direction=direction, tolerance=Decimal(tolerance), band=band)
    assert kpi.status_for(Decimal(value)) == expected


def test_a_kpi_without_measurement_has_no_data(world):
    kpi = kpi_of(world)
    assert kpi.status == KPIStatus.NO_DATA
    assert KPI().status_for(None) == KPIStatus.NO_DATA


def test_the_latest_measurement_sets_the_status_and_a_new_target_recomputes_it(world):
    kpi = kpi_of(world, tolerance=Decimal(5))
    services.add_measurement(kpi, actor=world.owner, date=TODAY - dt.timedelta(days=40), value=95)
    services.add_measurement(kpi, actor=world.owner, date=TODAY, value="80")
    kpi.refresh_from_db()
    assert (kpi.latest_value, kpi.latest_date) == (Decimal(80), TODAY)
    assert kpi.status == KPIStatus.OFF_TARGET
    kpi.target = Decimal(82)
    services.save_kpi(kpi, actor=world.owner)
    kpi.refresh_from_db()
    assert kpi.status == KPIStatus.AT_RISK


# --- Objectives -----------------------------------------------------------------------------


def test_an_objective_with_a_past_deadline_is_refused_on_create(world):
    with pytest.raises(ValidationError) as caught:
        objective_of(world, deadline=timezone.localdate() - dt.timedelta(days=1))
    assert "deadline" in caught.value.message_dict
    assert not Objective.objects.exists()


def test_an_objective_addresses_clause_6_2_by_default_and_keeps_its_past_deadline(world):
    objective = objective_of(world)
    assert objective.requirement_refs() == ["6.2"]
    Objective.objects.filter(pk=objective.pk).update(deadline=dt.date(2020, 1, 1))
    objective.refresh_from_db()
    objective.status = ObjectiveStatus.MISSED
    services.save_objective(objective, actor=world.owner)  # the stored deadline may stay
    objective.refresh_from_db()
    assert objective.status == ObjectiveStatus.MISSED
    assert AuditEvent.objects.for_record(objective).count() == 2


def test_objectives_on_track_count_achieved_and_open_ones_without_kpis_off_target(world):
    today = timezone.localdate()
    good = objective_of(world, title="Good")
    objective_of(world, title="Done", status=ObjectiveStatus.ACHIEVED)
    objective_of(world, title="Dropped", status=ObjectiveStatus.CANCELLED)
    troubled = objective_of(world, title="Troubled")
    kpi = kpi_of(world)
    kpi.objectives.set([troubled])
    services.add_measurement(kpi, actor=world.owner, date=today, value=10)
    counted = Objective.objects.for_org(world.org).counted()
    assert counted.count() == 3
    assert set(counted.on_track().values_list("title", flat=True)) == {"Good", "Done"}
    assert good in Objective.objects.on_track()


def test_due_lists_near_deadlines_and_kpis_to_measure(world):
    today = timezone.localdate()
    near = objective_of(world, title="Near", deadline=today + dt.timedelta(days=10))
    objective_of(world, title="Far", deadline=today + dt.timedelta(days=200))
    objective_of(world, title="Done", deadline=today, status=ObjectiveStatus.ACHIEVED)
    kpi = kpi_of(world, owner=world.contributor)
    services.add_measurement(kpi, actor=world.owner, date=today - dt.timedelta(days=40), value=90)
    items = [i for i in due_items(world.org, today) if isinstance(i, DueItem)]
    titles = {i.title for i in items}
    assert f"Objective: {near.title}" in titles
    assert "Objective: Far" not in titles and "Objective: Done" not in titles
    measure = next(i for i in items if i.kind == "KPI measurement")
    assert measure.overdue(today) and measure.people == frozenset({world.contributor.pk})


# --- Measurements by hand ---------------------------------------------------------------------


def test_a_measurement_dated_in_the_future_is_refused(world):
    kpi = kpi_of(world)
    with pytest.raises(ValidationError) as caught:
        services.add_measurement(
            kpi, actor=world.owner, date=timezone.localdate() + dt.timedelta(days=1), value=1
        )
    assert "date" in caught.value.message_dict
    assert not Measurement.objects.exists()


def test_the_page_refuses_a_future_measurement_beside_the_field(world):
    kpi = kpi_of(world)
    url = reverse("kpi_measure", kwargs={"org": world.org.slug, "kpi_id": kpi.pk})
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = world.client(world.contributor).post(url, {"date": tomorrow, "value": "3"})
    assert response.status_code == 422
    assert "cannot be dated in the future" in response.content.decode()
    assert not Measurement.objects.exists()
    response = world.client(world.contributor).post(
        url, {"date": timezone.localdate(), "value": "93", "note": "HR export"}
    )
    assert response.status_code == 302
    kpi.refresh_from_db()
    assert kpi.status == KPIStatus.ON_TARGET and kpi.latest_value == Decimal(93)


def test_a_viewer_cannot_record_a_measurement(world):
    kpi = kpi_of(world)
    url = reverse("kpi_measure", kwargs={"org": world.org.slug, "kpi_id": kpi.pk})
    response = world.client(world.viewer).post(url, {"date": timezone.localdate(), "value": 1})
    assert response.status_code == 403
    assert not Measurement.objects.exists()


# --- CSV import ---------------------------------------------------------------------------------


def csv_file(text: str, name: str = "kpis.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_a_good_csv_file_is_imported_whole(world):
    trained = kpi_of(world)
    incidents = kpi_of(world, name="Days to resolve incidents", target=5, direction="lower")
    made = services.import_measurements(
        world.org,
        csv_file(
            "kpi,date,value,note\n"
            "Staff trained,2026-01-31,60,January\n"
            "staff trained,2026-02-28,75.5,\n"
            f"{incidents.pk},2026-02-28,4,by number\n"
        ),
        actor=world.owner,
        today=TODAY,
    )
    assert len(made) == 3
    trained.refresh_from_db()
    assert trained.latest_value == Decimal("75.5") and trained.status == KPIStatus.OFF_TARGET
    assert set(Measurement.objects.values_list("source", flat=True)) == {MeasurementSource.IMPORT}
    assert incidents.measurements.get().note == "by number"


def test_a_csv_file_with_bad_rows_imports_nothing_and_names_row_and_column(world):
    kpi_of(world)
    with pytest.raises(services.ImportRefused) as caught:
        services.import_measurements(
            world.org,
            csv_file(
                "kpi,date,value,note\n"
                "Staff trained,2026-01-31,60,fine\n"
                "Staff trained,31/01/2026,60,\n"
                "Nobody knows,2026-01-31,60,\n"
                "Staff trained,2026-01-31,lots,\n"
                "Staff trained,2026-12-31,1,\n"
            ),
            actor=world.owner,
            today=TODAY,
        )
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "date"), (4, "kpi"), (5, "value"), (6, "date")}
    assert "Row 3, column date" in str(caught.value.problems[0])
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"kpi,date,value\nStaff trained,2026-01-01,1\x00\n", "null bytes"),
        (b"name,when,value\n", "header must name"),
        (b"", "empty"),
        (b"kpi,date,value,note\n", "no measurements"),
        (b"kpi,date,value\n" + b"Staff trained,2026-01-01,1\n" * 5001, "more than 5,000"),
        (b"kpi,date,value\n" + b"x" * (1024 * 1024), "larger than 1 MiB"),
    ],
)
def test_an_unusable_csv_file_is_refused(world, content, message):
    kpi_of(world)
    upload = SimpleUploadedFile("m.csv", content, content_type="text/csv")
    with pytest.raises(services.ImportRefused) as caught:
        services.import_measurements(world.org, upload, actor=world.owner, today=TODAY)
    assert message in " ".join(str(p) for p in caught.value.problems)
    assert not Measurement.objects.exists()


def test_the_import_page_lists_the_problems_and_imports_from_a_kpi_page(world):
    kpi = kpi_of(world)
    client = world.client(world.contributor)
    url = reverse("kpi_import", kwargs={"org": world.org.slug})
    bad = client.post(url, {"file": csv_file("kpi,date,value\nStaff trained,2026-01-01,x\n")})
    assert bad.status_code == 422
    assert "<td>2</td><td>value</td><td>Give a number" in bad.content.decode()
    assert not Measurement.objects.exists()
    good = client.post(f"{url}?kpi={kpi.pk}", {"file": csv_file("date,value\n2026-01-01,91\n")})
    assert good.status_code == 302 and good["Location"] == kpi.get_absolute_url()
    assert kpi.measurements.get().value == Decimal(91)


# --- Check runs ---------------------------------------------------------------------------------


@pytest.fixture
def parity_check(world, credit_system):
    blob, data_name = store_data_file(
        SimpleUploadedFile(BIASED.name, BIASED.read_bytes(), content_type="application/x-parquet")
    )
    return save_check(
        Check(
            organization=world.org,
            system=credit_system,
            name="Parity",
            kind=Kind.FAIRNESS,
            source_type=SourceType.UPLOAD,
            data_blob=blob,
            data_name=data_name,
            options={"label": "repaid", "prediction": "approved", "sensitive": ["sex"]},
            thresholds=[{"metric": "demographic_parity_difference", "op": "max", "limit": 0.1}],
        ),
        actor=world.owner,
    )


def test_a_check_fed_kpi_gets_a_measurement_from_each_new_run(world, parity_check):
    kpi = kpi_of(
        world,
        name="Parity gap",
        target=Decimal("0.1"),
        direction=Direction.LOWER,
        tolerance=Decimal("0.02"),
        source=KPISource.CHECK,
        check_definition=parity_check,
        check_metric="dp_difference",  # the short name is accepted and stored in full
    )
    assert kpi.check_metric == "demographic_parity_difference"
    assert not kpi.measurements.exists()
    run = run_check(parity_check, actor=world.owner)
    measurement = kpi.measurements.get()
    expected = run.result["aggregates"]["demographic_parity_difference"]
    assert float(measurement.value) == pytest.approx(expected, abs=1e-6)
    assert 0.12 < expected < 0.2  # the sample's deliberate bias
    assert (measurement.source, measurement.run_ref) == (MeasurementSource.CHECK, run.pk)
    kpi.refresh_from_db()
    assert kpi.status == KPIStatus.OFF_TARGET
    run_check(parity_check, actor=world.owner)
    assert kpi.measurements.count() == 2
    assert services.import_check_runs(kpi) == 0  # nothing is imported twice


def test_a_kpi_following_a_check_imports_its_past_runs_and_pass_fail_as_one_or_zero(
    world, parity_check
):
    run = run_check(parity_check, actor=world.owner)
    assert not run.passed
    kpi = kpi_of(
        world,
        name="Parity check passes",
        target=Decimal(1),
        source=KPISource.CHECK,
        check_definition=parity_check,
        check_metric="passed",
    )
    assert kpi.measurements.get().value == Decimal(0)
    assert kpi.status == KPIStatus.OFF_TARGET


def test_a_metric_the_check_does_not_compute_is_refused(world, parity_check):
    with pytest.raises(ValidationError) as caught:
        kpi_of(
            world,
            source=KPISource.CHECK,
            check_definition=parity_check,
            check_metric="accuracy",
        )
    assert "check_metric" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        kpi_of(world, source=KPISource.CHECK)
    assert "check_definition" in caught.value.message_dict


def test_a_check_fed_kpi_takes_no_hand_entered_value(world, parity_check):
    kpi = kpi_of(
        world, source=KPISource.CHECK, check_definition=parity_check, check_metric="passed"
    )
    with pytest.raises(Refused):
        services.add_measurement(kpi, actor=world.owner, date=timezone.localdate(), value=1)


def test_another_organizations_check_cannot_feed_a_kpi(world, parity_check):
    with pytest.raises(ValidationError) as caught:
        services.save_kpi(
            KPI(
                organization=world.other_org,
                name="Theirs",
                target=1,
                source=KPISource.CHECK,
                check_definition=parity_check,
                check_metric="passed",
            ),
            actor=world.outsider,
        )
    assert "check_definition" in caught.value.message_dict


# --- App measures -------------------------------------------------------------------------------


@contextmanager
def registered_measures(*found: Measure):
    """Register a ``measures`` hook giving ``found`` for the block, then remove it."""

    def provide():
        return list(found)

    areas.hook("measures")(provide)
    try:
        yield
    finally:
        areas._hooks["measures"] = [
            pair for pair in areas._hooks.get("measures", []) if pair[1] is not provide
        ]


def test_an_app_measure_kpi_is_sampled_once_a_day_and_by_measure_now(world):
    seen = []

    def compute(org, today):
        seen.append((org.pk, today))
        return 0.75

    share = Measure("test.share", "Share of staff trained", "%", compute)
    other = Measure("test.none", "Nothing yet", "", lambda org, today: None)
    with registered_measures(share, other):
        kpi = kpi_of(
            world, name="Trained", target=Decimal("0.9"), source="measure", measure_key="test.share"
        )
        now = timezone.now()
        assert any("measured 0.75" in line for line in services.periodic_round(now))
        assert services.periodic_round(now) == []  # once a day
        assert kpi.measurements.get().source == MeasurementSource.MEASURE
        url = reverse("kpi_measure_now", kwargs={"org": world.org.slug, "kpi_id": kpi.pk})
        response = world.client(world.contributor).post(url)
        assert response.status_code == 302
        assert kpi.measurements.count() == 2
        kpi.refresh_from_db()
        assert kpi.status == KPIStatus.OFF_TARGET and kpi.latest_value == Decimal("0.75")
        empty = kpi_of(world, name="Empty", target=1, source="measure", measure_key="test.none")
        with pytest.raises(Refused):
            services.sample_measure(empty)
    assert seen and all(org == world.org.pk for org, _ in seen)
    assert "test.share" not in areas.measures()


def test_a_measure_key_no_app_computes_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        kpi_of(world, source="measure", measure_key="no.such.figure")
    assert "measure_key" in caught.value.message_dict


# --- Pages --------------------------------------------------------------------------------------


def test_the_kpi_page_shows_the_chart_with_the_target_line_and_the_measurements(world):
    kpi = kpi_of(world, tolerance=Decimal(5))
    for day, value in ((1, 70), (2, 88), (3, 92)):
        services.add_measurement(kpi, actor=world.owner, date=dt.date(2026, 1, day), value=value)
    response = world.client(world.viewer).get(kpi.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="point"') == 3
    assert 'class="target"' in html
    assert "On target" in html and "At risk" in html and "Off target" in html


def test_the_objective_list_filters_searches_and_exports(world):
    today = timezone.localdate()
    objective_of(world, title="Fairness before release", owner=world.manager)
    late = objective_of(world, title="Policy acknowledged", owner=world.contributor)
    Objective.objects.filter(pk=late.pk).update(deadline=today - dt.timedelta(days=3))
    client = world.client(world.viewer)
    url = reverse("objective_list", kwargs={"org": world.org.slug})
    assert "Policy acknowledged" not in client.get(url, {"q": "fairness"}).content.decode()
    overdue = client.get(url, {"overdue": "on"}).content.decode()
    assert "Policy acknowledged" in overdue and "Fairness before release" not in overdue
    mine = client.get(url, {"owner": world.manager.pk}).content.decode()
    assert "Fairness before release" in mine and "Policy acknowledged" not in mine
    export = client.get(reverse("objective_export_csv", kwargs={"org": world.org.slug}))
    assert export.status_code == 200 and b"Fairness before release" in export.content


def test_an_objective_is_created_from_the_page_and_deleted_after_confirmation(world):
    client = world.client(world.manager)
    url = reverse("objective_create", kwargs={"org": world.org.slug})
    past = client.post(url, {"title": "Late", "deadline": "2020-01-01", "status": "planned"})
    assert past.status_code == 422 and "already passed" in past.content.decode()
    deadline = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(url, {"title": "Trained", "deadline": deadline, "status": "planned"})
    objective = Objective.objects.get(title="Trained")
    assert response.status_code == 302
    delete_url = reverse(
        "objective_delete", kwargs={"org": world.org.slug, "objective_id": objective.pk}
    )
    assert client.get(delete_url).status_code == 200  # the confirmation
    assert Objective.objects.filter(pk=objective.pk).exists()
    assert world.client(world.contributor).post(delete_url).status_code == 403
    assert client.post(delete_url).status_code == 302
    assert not Objective.objects.filter(pk=objective.pk).exists()


def test_the_kpi_list_filters_by_status(world):
    good = kpi_of(world, name="Good")
    kpi_of(world, name="Silent")
    services.add_measurement(good, actor=world.owner, date=timezone.localdate(), value=99)
    url = reverse("kpi_list", kwargs={"org": world.org.slug})
    html = world.client(world.viewer).get(url, {"status": "on_target"}).content.decode()
    assert ">Good<" in html and ">Silent<" not in html


def test_another_organizations_records_are_not_found(world):
    kpi = kpi_of(world)
    objective = objective_of(world)
    client = world.client(world.outsider)
    for url in (
        kpi.get_absolute_url(),
        objective.get_absolute_url(),
        reverse("objective_list", kwargs={"org": world.org.slug}),
    ):
        assert client.get(url).status_code == 404
    mine = reverse("kpi_import", kwargs={"org": world.other_org.slug})
    response = client.post(f"{mine}?kpi={kpi.pk}", {"file": csv_file("date,value\n2026-01-01,1\n")})
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_the_dashboard_counts_objectives_on_track_and_kpis_off_target(world):
    objective_of(world, title="Fine")
    kpi = kpi_of(world, name="Badly off")
    services.add_measurement(kpi, actor=world.owner, date=timezone.localdate(), value=1)
    html = (
        world.client(world.owner)
        .get(reverse("dashboard", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "KPIs off target" in html and "Badly off" in html
    assert "Set AI objectives and KPIs" in html


# --- API ----------------------------------------------------------------------------------------


def test_the_api_creates_reads_and_updates_objectives(world):
    api = ApiClient.for_member(world.contributor, world.org)
    deadline = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    response = api.post(
        "/api/v1/objectives",
        {
            "title": "Reduce time to resolve AI incidents",
            "deadline": deadline,
            "owner": world.manager.username,
            "annex_objectives": ["C.2.10"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["clauses"] == ["6.2"] and body["owner"] == world.manager.username
    past = api.post("/api/v1/objectives", {"title": "x", "deadline": "2020-01-01"})
    assert past.status_code == 422 and past.json()["errors"][0]["field"] == "deadline"
    changed = api.patch(f"/api/v1/objectives/{body['id']}", {"status": "in_progress"})
    assert changed.json()["status"] == "in_progress"
    listed = api.get("/api/v1/objectives", {"status": "in_progress"}).json()
    assert listed["count"] == 1
    viewer = ApiClient.for_member(world.viewer, world.org)
    assert (
        viewer.post("/api/v1/objectives", {"title": "x", "deadline": deadline}).status_code == 403
    )
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.get(f"/api/v1/objectives/{body['id']}").status_code == 404


def test_the_api_defines_kpis_and_records_measurements(world):
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post(
        "/api/v1/kpis",
        {"name": "Incident days", "target": "5", "direction": "lower", "tolerance": "2"},
    )
    assert response.status_code == 201, response.json()
    kpi_id = response.json()["id"]
    today = timezone.localdate()
    future = api.post(
        f"/api/v1/kpis/{kpi_id}/measurements",
        {"date": (today + dt.timedelta(days=1)).isoformat(), "value": "3"},
    )
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "date"
    made = api.post(f"/api/v1/kpis/{kpi_id}/measurements", {"date": today.isoformat(), "value": 6})
    assert made.status_code == 201 and made.json()["status"] == "at_risk"
    read = api.get(f"/api/v1/kpis/{kpi_id}").json()
    assert read["status"] == "at_risk" and Decimal(read["latest_value"]) == 6
    assert api.get(f"/api/v1/kpis/{kpi_id}/measurements").json()["count"] == 1
    assert api.patch(f"/api/v1/kpis/{kpi_id}", {"target": "7"}).json()["status"] == "on_target"
    assert api.get("/api/v1/kpis", {"status": "on_target"}).json()["count"] == 1
    outsider = ApiClient.for_member(world.outsider, world.other_org)
    assert outsider.get(f"/api/v1/kpis/{kpi_id}/measurements").status_code == 404


def test_the_api_import_answers_422_naming_row_and_column(world):
    kpi_of(world)
    api = ApiClient.for_member(world.contributor, world.org)
    bad = api.post_form(
        "/api/v1/kpi-measurements/import",
        {"file": csv_file("kpi,date,value\nStaff trained,2026-01-01,1\nStaff trained,nope,2\n")},
    )
    assert bad.status_code == 422
    assert bad.json()["problems"] == [
        {"row": 3, "column": "date", "message": "Give a date as YYYY-MM-DD."}
    ]
    assert not Measurement.objects.exists()
    good = api.post_form(
        "/api/v1/kpi-measurements/import",
        {"file": csv_file("kpi,date,value\nStaff trained,2026-01-01,1\n")},
    )
    assert good.status_code == 201 and good.json()["imported"] == 1
    viewer = ApiClient.for_member(world.viewer, world.org)
    refused = viewer.post_form(
        "/api/v1/kpi-measurements/import",
        {"file": csv_file("kpi,date,value\nStaff trained,2026-01-01,1\n")},
    )
    assert refused.status_code == 403
    assert Measurement.objects.count() == 1


def test_the_api_refuses_unknown_objectives_of_a_kpi_without_saving_it(world):
    # An unknown number used to answer 500 (the message joined numbers as text), one too large
    # for the column too; false was read as the number 0.
    api = ApiClient.for_member(world.contributor, world.org)
    for objectives, message in [
        ([999999], "Unknown objective: 999999."),
        ([2**70], f"Unknown objective: {2**70}."),
        ([False], "Enter a whole number."),
    ]:
        response = api.post("/api/v1/kpis", {"name": "Acc", "target": 1, "objectives": objectives})
        assert response.status_code == 422, objectives
        [error] = response.json()["errors"]
        assert error["field"].startswith("objectives") and error["message"] == message
    assert not KPI.objects.exists()
    known = objective_of(world)
    response = api.post("/api/v1/kpis", {"name": "Acc", "target": 1, "objectives": [known.pk]})
    assert response.status_code == 201 and response.json()["objectives"] == [known.pk]


def test_the_api_refuses_true_or_false_as_a_measured_value(world):
    # false used to be recorded as the value 0.
    kpi = kpi_of(world)
    api = ApiClient.for_member(world.contributor, world.org)
    today = timezone.localdate().isoformat()
    response = api.post(f"/api/v1/kpis/{kpi.pk}/measurements", {"date": today, "value": False})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "value"
    response = api.patch(f"/api/v1/kpis/{kpi.pk}", {"target": True})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "target"
    assert not Measurement.objects.exists()
    kpi.refresh_from_db()
    assert kpi.target == 90


def test_the_api_import_without_a_file_answers_its_documented_422(world):
    # The 422 documented for the import required problems, which a request refused before the
    # file is read (no file) does not have: its answer broke the documented schema.
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post_form("/api/v1/kpi-measurements/import", {})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "This field is required."}]
    documented = api_root.get_openapi_schema()["components"]["schemas"]["ImportErrorOut"]
    assert set(documented["required"]) <= set(response.json())
    assert not Measurement.objects.exists()


def test_an_import_naming_a_kpi_by_a_digit_that_is_no_number_is_refused(world):
    # "²" passes str.isdigit() but not int(): the import used to answer 500.
    kpi_of(world)
    api = ApiClient.for_member(world.contributor, world.org)
    response = api.post_form(
        "/api/v1/kpi-measurements/import",
        {"file": csv_file("kpi,date,value\n²,2026-01-01,1\n" + "9" * 5000 + ",2026-01-01,1\n")},
    )
    assert response.status_code == 422
    assert [(p["row"], p["column"]) for p in response.json()["problems"]] == [
        (2, "kpi"),
        (3, "kpi"),
    ]
    assert not Measurement.objects.exists()
