from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="organizations",
        prefix="settings/",
        urls="aims.organizations.urls",
        nav=(NavLink("Organization", "settings_index", "Settings"),),
        order=1,
    )
)
