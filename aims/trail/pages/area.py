from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="trail_pages",
        prefix="audit/",
        urls="aims.trail.pages.urls",
        nav=(NavLink("Audit trail", "audit_log", "Do & check", order=90, icon="history"),),
        order=90,
    )
)
