"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import Area, NavLink, hook, register

from .services import send_digests

# The worker's rounds send the daily digest once its hour has come.
hook("periodic")(send_digests)

register(
    Area(
        label="reminders",
        prefix="reminders/",
        urls="aims.reminders.urls",
        nav=(NavLink("My reminders", "reminder_list", "Overview", order=5),),
        api_router="aims.reminders.api.router",
        order=200,
    )
)
