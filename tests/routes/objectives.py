"""The objectives area's share of the route-walking and query-count tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from aims.objectives.models import KPI, Measurement, MeasurementSource, Objective
from aims.objectives.services import add_measurement, save_kpi, save_objective
from aims.organizations.models import Access

LIST_PAGES = ["objective_list", "kpi_list"]


def make(world, records) -> dict:
    org = world.org
    today = timezone.localdate()
    objective = save_objective(
        Objective(
            organization=org,
            title="Every high-risk system passes fairness checks",
            plan="Run the fairness checks before each release.",
            deadline=today + dt.timedelta(days=90),
            owner=world.manager,
        ),
        actor=world.owner,
    )
    kpi = save_kpi(
        KPI(organization=org, name="Staff trained", unit="%", target=Decimal(90)),
        actor=world.owner,
        objectives=[objective],
    )
    measurement = add_measurement(kpi, actor=world.owner, date=today, value="72.5")
    return {
        "objective_id": objective.pk,
        "kpi_id": kpi.pk,
        "measurement_id": measurement.pk,
        "api": {"objective_id": objective.pk, "kpi_id": kpi.pk},
        "objects": {"objective": objective, "kpi": kpi, "measurement": measurement},
    }


def seed(world, n: int) -> None:
    """``n`` more objectives and KPIs, each KPI with a measurement and an objective."""
    org = world.org
    start = Objective.objects.filter(organization=org).count()
    deadline = timezone.localdate() + dt.timedelta(days=60)
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=org, title=f"Objective {start + i}", deadline=deadline, owner=world.owner
        )
        for i in range(n)
    )
    kpis = KPI.objects.bulk_create(
        KPI(organization=org, name=f"KPI {start + i}", target=Decimal(1), owner=world.owner)
        for i in range(n)
    )
    KPI.objectives.through.objects.bulk_create(
        KPI.objectives.through(kpi_id=k.pk, objective_id=o.pk)
        for k, o in zip(kpis, objectives, strict=True)
    )
    Measurement.objects.bulk_create(
        Measurement(
            organization=org,
            kpi=k,
            date=timezone.localdate(),
            value=Decimal(1),
            source=MeasurementSource.MANUAL,
        )
        for k in kpis
    )


API_ACCESS = {
    ("GET", "/objectives"): Access.READ,
    ("POST", "/objectives"): Access.CONTRIBUTE,
    ("GET", "/objectives/{objective_id}"): Access.READ,
    ("PATCH", "/objectives/{objective_id}"): Access.CONTRIBUTE,
    ("GET", "/kpis"): Access.READ,
    ("POST", "/kpis"): Access.CONTRIBUTE,
    ("GET", "/kpis/{kpi_id}"): Access.READ,
    ("PATCH", "/kpis/{kpi_id}"): Access.CONTRIBUTE,
    ("GET", "/kpis/{kpi_id}/measurements"): Access.READ,
    ("POST", "/kpis/{kpi_id}/measurements"): Access.CONTRIBUTE,
    ("POST", "/kpi-measurements/import"): Access.CONTRIBUTE,
}
API_BODIES = {
    ("POST", "/objectives"): {"title": "X", "deadline": "2099-01-01"},
    ("PATCH", "/objectives/{objective_id}"): {"status": "in_progress"},
    ("POST", "/kpis"): {"name": "X", "target": 1},
    ("PATCH", "/kpis/{kpi_id}"): {"target": 2},
    ("POST", "/kpis/{kpi_id}/measurements"): {"date": "2026-01-01", "value": 1},
    ("POST", "/kpi-measurements/import"): {},
}
