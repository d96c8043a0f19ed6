from django.urls import reverse

from aims.core.areas import Area, NavLink, RecordLink, hook, register

from .models import Clause


@hook("evidence_links", order=20)
def evidence_clauses() -> RecordLink:
    return RecordLink(
        "clauses",
        "Clauses",
        "Requirements of clauses 4 to 10 it demonstrates.",
        queryset=lambda: Clause.objects.order_by("position"),
        describe=lambda clause: f"{clause.ref} {clause.title}",
        short=lambda clause: clause.ref,
        key="ref",
        what="clause",
        url=lambda clause, org: reverse(
            "catalog_clause", kwargs={"org": org.slug, "ref": clause.ref}
        ),
        order=20,
    )


register(
    Area(
        label="catalog",
        prefix="catalog/",
        urls="aims.catalog.urls",
        nav=(NavLink("ISO/IEC 42001", "catalog_index", "Reference"),),
        order=5,
    )
)
