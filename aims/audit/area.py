from aims.core.areas import Area, NavLink, register

register(
    Area(
        label="audit",
        prefix="audit/",
        urls="aims.audit.urls",
        nav=(NavLink("Audit trail", "audit_log", "Do & check", order=90),),
        order=90,
    )
)
