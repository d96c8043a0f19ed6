"""The technical checks' part of the dashboard: open alerts of failed runs."""

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import Alert


def part(organization) -> Part:
    alerts = Alert.objects.filter(organization=organization).open()
    listed = list(alerts.select_related("system", "recipient")[:LIST_LIMIT])
    count = alerts.count()
    return Part(
        "checks",
        notices=[
            Notice(
                count,
                Section("checks/_dashboard_alerts.html", {"alerts": listed}, order=10),
                kind="strip",
            )
        ],
        data={"open_alerts": listed, "open_alerts_count": count},
    )
