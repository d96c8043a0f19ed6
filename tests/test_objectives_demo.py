"""The objectives area's demo content loads through the services onto the Northwind demo."""

from __future__ import annotations

from aims.demo.loader import load_demo
from aims.objectives.models import KPI, KPISource, KPIStatus, Objective


def test_the_demo_sets_objectives_and_kpis_for_northwind(db):
    org, _owner, created = load_demo()  # the loader calls aims.demo.objectives.load
    assert created

    assert Objective.objects.filter(organization=org).count() == 4
    kpis = {k.name: k for k in KPI.objects.filter(organization=org)}
    assert len(kpis) >= 4
    parity = kpis["Approval parity gap by sex (credit scoring)"]
    assert parity.source == KPISource.CHECK and parity.measurements.count() >= 1
    assert parity.status == KPIStatus.ON_TARGET  # the validation log passed before deployment
    resolve = kpis["Median days to resolve AI incidents"]
    assert resolve.measurements.count() == 6 and resolve.status == KPIStatus.AT_RISK
    assert kpis["Releases with passed fairness checks"].measurements.count() == 3
    assert all(k.objectives.exists() for k in kpis.values())
