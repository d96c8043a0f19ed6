from django.urls import reverse

from aims.core.areas import Area, NavLink, RecordLink, SearchKind, hook, register

from .models import Clause, Control


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
        nav=(NavLink("ISO/IEC 42001", "catalog_index", "Reference", icon="book-open"),),
        order=5,
    )
)


def catalog_url(name: str):
    return lambda item, organization: reverse(
        name, kwargs={"org": organization.slug, "ref": item.ref}
    )


@hook("search", order=30)
def search_controls() -> SearchKind:
    return SearchKind(
        "controls",
        "Annex A controls",
        queryset=lambda organization: Control.objects.all(),
        ref="ref",
        url=catalog_url("catalog_control"),
        list_url_name="catalog_index",
        list_param="",
        order=30,
    )


@hook("search", order=31)
def search_clauses() -> SearchKind:
    return SearchKind(
        "clauses",
        "Clauses",
        queryset=lambda organization: Clause.objects.all(),
        ref="ref",
        url=catalog_url("catalog_clause"),
        list_url_name="catalog_index",
        list_param="",
        order=31,
    )
