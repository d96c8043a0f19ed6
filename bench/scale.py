"""Bulk synthetic records for benchmarks and query-count tests.

This bypasses the services on purpose (it writes tens of thousands of rows in seconds) and so
writes no audit events for the records: never use it on a real organization.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from aims.catalog.models import Control
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem, RiskTier, Stage
from aims.risk.models import Category, Risk, Status, Treatment
from aims.soa.models import Applicability, Implementation, SoAEntry

CATEGORIES = list(Category)
STAGES = [s for s in Stage]
TIERS = list(RiskTier)


@transaction.atomic
def seed(
    organization,
    *,
    systems: int,
    risks_per_system: int = 10,
    evidence: int = 0,
    owner=None,
    seed_value: int = 42,
) -> None:
    rng = random.Random(seed_value + AISystem.objects.filter(organization=organization).count())
    start = AISystem.objects.filter(organization=organization).count()
    new_systems = AISystem.objects.bulk_create(
        [
            AISystem(
                organization=organization,
                name=f"Synthetic system {start + i:05d}",
                slug=f"synthetic-{start + i:05d}",
                purpose="Synthetic record for load testing.",
                intended_use="Load testing." if i % 3 else "",
                owner=owner if i % 4 else None,
                risk_tier=TIERS[i % len(TIERS)],
                stage=STAGES[i % len(STAGES)],
            )
            for i in range(systems)
        ],
        batch_size=1000,
    )
    first_ref = Risk.objects.filter(organization=organization).count()
    risks = Risk.objects.bulk_create(
        [
            Risk(
                organization=organization,
                ref=f"R-{first_ref + n + 1:06d}",
                title=f"Synthetic risk {first_ref + n + 1}",
                category=CATEGORIES[n % len(CATEGORIES)],
                owner=owner,
                inherent_likelihood=rng.randint(1, 5),
                inherent_impact=rng.randint(1, 5),
                residual_likelihood=rng.randint(1, 3) if n % 2 else None,
                residual_impact=rng.randint(1, 3) if n % 2 else None,
                treatment=Treatment.MODIFY,
                status=Status.IN_TREATMENT if n % 5 else Status.IDENTIFIED,
                next_review=dt.date(2026, 1, 1) + dt.timedelta(days=n % 700),
            )
            for n in range(systems * risks_per_system)
        ],
        batch_size=1000,
    )
    through = Risk.systems.through
    through.objects.bulk_create(
        [
            through(risk_id=risk.pk, aisystem_id=new_systems[n // risks_per_system].pk)
            for n, risk in enumerate(risks)
        ],
        batch_size=2000,
    )
    controls = list(Control.objects.values_list("pk", flat=True))
    Risk.controls.through.objects.bulk_create(
        [
            Risk.controls.through(risk_id=risk.pk, control_id=controls[n % len(controls)])
            for n, risk in enumerate(risks)
        ],
        batch_size=2000,
    )
    entries = list(SoAEntry.objects.filter(organization=organization))
    for n, entry in enumerate(entries):
        entry.applicability = Applicability.APPLICABLE if n % 3 else Applicability.EXCLUDED
        entry.justification = "Synthetic decision." if n % 5 else ""
        entry.status = list(Implementation)[n % 4]
    SoAEntry.objects.bulk_update(entries, ["applicability", "justification", "status"])
    if evidence:
        items = Evidence.objects.bulk_create(
            [
                Evidence(
                    organization=organization,
                    title=f"Synthetic evidence {n}",
                    kind="link",
                    url=f"https://evidence.example/{n}",
                    effective_from=dt.date(2025, 1, 1),
                    valid_until=dt.date(2025, 6, 1) if n % 4 == 0 else None,
                    created_by=owner,
                )
                for n in range(evidence)
            ],
            batch_size=1000,
        )
        Evidence.soa_entries.through.objects.bulk_create(
            [
                Evidence.soa_entries.through(
                    evidence_id=e.pk, soaentry_id=entries[n % len(entries)].pk
                )
                for n, e in enumerate(items)
            ],
            batch_size=2000,
        )
        Evidence.systems.through.objects.bulk_create(
            [
                Evidence.systems.through(
                    evidence_id=e.pk, aisystem_id=new_systems[n % len(new_systems)].pk
                )
                for n, e in enumerate(items)
            ],
            batch_size=2000,
        )
