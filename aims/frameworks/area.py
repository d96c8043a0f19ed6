"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import Area, NavLink, hook, register

from .loader import load_frameworks
from .models import Framework

# The shipped frameworks map to the ISO/IEC 42001 catalog: load them whenever it loads.
hook("catalog_loaded", order=10)(load_frameworks)

register(
    Area(
        label="frameworks",
        prefix="frameworks/",
        urls="aims.frameworks.urls",
        nav=(
            NavLink(
                "Frameworks & crosswalks",
                "framework_list",
                "Reference",
                order=20,
                icon="shield-check",
            ),
        ),
        api_router="aims.frameworks.api.router",
        api_path_records={
            "framework_slug": lambda org, value: (
                Framework.objects.visible_to(org).filter(slug=str(value)[:80]).exists()
            ),
        },
        order=6,
    )
)
