from aims.core.areas import Area, NavLink, hook, register

from . import dashboard

hook("dashboard")(dashboard.part)

register(
    Area(
        label="organizations",
        prefix="settings/",
        urls="aims.organizations.urls",
        nav=(NavLink("Organization", "settings_index", "Settings"),),
        order=1,
    )
)
