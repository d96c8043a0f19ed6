"""The EU AI Act's part of the dashboard: the systems not classified yet, or whose signed
classification is no longer current, and the highest fine exposure the organization's systems
carry (the business case's figure)."""

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part
from aims.inventory.models import AISystem, RiskTier

from .exposure import worst
from .models import ActProfile, Classification


def part(organization) -> Part:
    systems = list(AISystem.objects.for_org(organization).active().order_by("name"))
    signed = {
        c.system_id: c for c in Classification.objects.signed().filter(organization=organization)
    }
    waiting = []
    for system in systems:
        found = signed.get(system.pk)
        if (found is None and system.risk_tier == RiskTier.UNCLASSIFIED) or (
            found is not None and found.changed_basis(system)
        ):
            system.organization = organization
            system.stale = found is not None
            waiting.append(system)
    profile = ActProfile.objects.filter(organization=organization).first()
    exposure = worst([system.risk_tier for system in systems], profile)
    return Part(
        "euaiact",
        notices=[
            Notice(
                len(waiting),
                Section(
                    "euaiact/_dashboard.html",
                    {
                        "systems": waiting[:LIST_LIMIT],
                        "count": len(waiting),
                        "exposure": exposure,
                    },
                    order=15,
                ),
                show_when_zero=bool(signed),
            )
        ],
        has_records=bool(signed),
        data={"act_classifications_waiting": len(waiting)},
    )
