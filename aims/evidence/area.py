from django.utils import timezone

from aims.core.areas import Area, NavLink, SearchKind, Section, hook, names_record, register

from . import dashboard
from .models import Evidence


@hook("control_page", order=20)
def control_evidence(control, request) -> Section:
    evidence = Evidence.objects.filter(
        organization=request.org, soa_entries__control=control
    ).order_by("-effective_from", "-pk")
    return Section("evidence/_control_evidence.html", {"evidence": evidence}, order=20)


@hook("clause_page", order=20)
def clause_evidence(clause, request) -> Section:
    evidence = (
        Evidence.objects.filter(organization=request.org, clauses=clause)
        .order_by("-effective_from", "-pk")
        .distinct()
    )
    return Section("evidence/_clause_evidence.html", {"evidence": evidence}, order=20)


@hook("system_page", order=20)
def system_evidence(system, request) -> Section:
    return Section(
        "evidence/_system_evidence.html",
        {"evidence": system.evidence.all(), "today": timezone.localdate()},
        order=20,
    )


hook("dashboard")(dashboard.part)

register(
    Area(
        label="evidence",
        prefix="evidence/",
        urls="aims.evidence.urls",
        nav=(NavLink("Evidence", "evidence_list", "Do & check", order=10, icon="folder-archive"),),
        api_router="aims.evidence.api.router",
        api_path_records={
            "evidence_id": lambda org, v: names_record(Evidence.objects.for_org(org), v)
        },
        uploads={
            "evidence_create": "evidence",
            "evidence_revision_create": "evidence",
            "api:list_evidence": "evidence",  # POST /api/v1/evidence shares the list's path
        },
        order=40,
    )
)


@hook("search", order=40)
def search_evidence() -> SearchKind:
    return SearchKind(
        "evidence",
        "Evidence",
        queryset=lambda organization: Evidence.objects.filter(organization=organization),
        list_url_name="evidence_list",
        order=40,
    )
