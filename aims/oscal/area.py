"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="oscal",
        prefix="oscal/",
        urls="aims.oscal.urls",
        nav=(NavLink("OSCAL exports", "oscal_exports", "Reference", order=110, icon="file-code"),),
        api_router="aims.oscal.api.router",
        order=230,
    )
)
