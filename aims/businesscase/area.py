"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="businesscase",
        prefix="business-case/",
        urls="aims.businesscase.urls",
        nav=(NavLink("Business case", "business_case", "Overview", order=50, icon="building-2"),),
        api_router="aims.businesscase.api.router",
        order=190,
    )
)
