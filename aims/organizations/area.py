from aims.core.areas import Area, NavLink, register

# The scope's step of the dashboard's checklist belongs to the context area (aims.context),
# which holds the scope as a versioned, approved record.
register(
    Area(
        label="organizations",
        prefix="settings/",
        urls="aims.organizations.urls",
        nav=(NavLink("Organization", "settings_index", "Settings", icon="settings"),),
        order=1,
    )
)
