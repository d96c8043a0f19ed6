"""The technical checks' part of the dashboard: checks whose latest run failed, and open alerts.

The two differ: an alert resolved by someone does not make its check pass again, so a check
stays "failing" until a later run passes, whatever became of its alert.
"""

from django.db.models import OuterRef, Subquery

from aims.core.areas import Section
from aims.core.dashboard import LIST_LIMIT, Notice, Part

from .models import Alert, Check, CheckRun, RunStatus

NOT_PASSING = (RunStatus.FAILED, RunStatus.ERROR)


def failing_checks(organization):
    """The active checks whose latest run failed or could not run, each annotated with that
    run's ``latest_status``, ``latest_run_pk`` and ``latest_started_at``: one query."""
    latest = CheckRun.objects.filter(definition=OuterRef("pk")).order_by("-started_at", "-pk")
    return (
        Check.objects.for_org(organization)
        .active()
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_run_pk=Subquery(latest.values("pk")[:1]),
            latest_started_at=Subquery(latest.values("started_at")[:1]),
        )
        .filter(latest_status__in=NOT_PASSING)
    )


def part(organization) -> Part:
    alerts = Alert.objects.filter(organization=organization).open()
    listed = list(alerts.select_related("system", "recipient")[:LIST_LIMIT])
    count = alerts.count()
    failing = failing_checks(organization)
    failing_count = failing.count()
    failing_list = list(
        failing.select_related("system").order_by("-latest_started_at", "pk")[:LIST_LIMIT]
    )
    for check in failing_list:
        check.latest_status_label = RunStatus(check.latest_status).label
    return Part(
        "checks",
        notices=[
            Notice(
                failing_count,
                Section("checks/_dashboard_failing.html", {"checks": failing_list}, order=10),
                kind="strip",
            ),
            Notice(
                count,
                Section("checks/_dashboard_alerts.html", {"alerts": listed}, order=11),
                kind="strip",
            ),
        ],
        data={
            "open_alerts": listed,
            "open_alerts_count": count,
            "failing_checks": failing_list,
            "failing_checks_count": failing_count,
        },
    )
