"""Registered by this area: see aims/core/areas.py."""

from aims.core.areas import Area, NavLink, hook, names_record, register

from . import services
from .models import Package

hook("periodic")(services.periodic)

register(
    Area(
        label="package",
        prefix="package/",
        urls="aims.package.urls",
        nav=(
            NavLink(
                "Evidence package", "package_list", "Do & check", order=95, icon="folder-archive"
            ),
        ),
        api_router="aims.package.api.router",
        api_path_records={
            "package_id": lambda org, v: names_record(Package.objects.for_org(org), v),
        },
        order=96,
    )
)
