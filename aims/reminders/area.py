"""Registered by this area: see aims/core/areas.py."""

from django.utils import timezone

from aims.core.areas import Area, NavLink, hook, register

from . import rules
from .services import send_digests

# The worker's rounds send the daily digest once its hour has come.
hook("periodic")(send_digests)

register(
    Area(
        label="reminders",
        prefix="reminders/",
        urls="aims.reminders.urls",
        nav=(
            NavLink(
                "My reminders",
                "reminder_list",
                "Overview",
                order=5,
                icon="alarm-clock-check",
                notices=lambda request: rules.notices_for(request.membership, timezone.localdate()),
            ),
        ),
        api_router="aims.reminders.api.router",
        order=200,
    )
)
