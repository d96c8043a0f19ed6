from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="dashboard",
        urls="aims.dashboard.urls",
        nav=(NavLink("Dashboard", "dashboard", "Overview", order=0, icon="layout-dashboard"),),
        order=0,
    )
)
