"""Registered by this area: see aims/core/areas.py.

An audit examines clauses and controls; it does not implement them, so it is not registered as
a record that addresses them (hook ``control_records``): a control is not "evidenced" in the SoA
because it was audited, least of all when the audit found it not met. Instead the catalog's
clause and control pages list the audits that examined them, with their result, and the pages of
clause 9.2 (9.2.1, 9.2.2) list the organization's completed internal audits: the evidence that
it audits itself.
"""

from aims.core.areas import (
    Area,
    DueItem,
    Measure,
    NavLink,
    SearchKind,
    Section,
    hook,
    names_record,
    naming_it,
    register,
)
from aims.organizations.models import Access

from . import dashboard
from .coverage import coverage, current_programme
from .models import START_NOTICE_DAYS, Audit, AuditProgramme, AuditStatus, ChecklistItem

PAGE_LIMIT = 10
INTERNAL_AUDIT_CLAUSES = ("9.2", "9.2.1", "9.2.2")


def _team(audit) -> frozenset[int]:
    people = {user.pk for user in audit.team.all()}
    if audit.lead_auditor_id:
        people.add(audit.lead_auditor_id)
    return frozenset(people)


@hook("due")
def due(organization, today) -> list[DueItem]:
    """Audits due to start within two weeks or late to start, and audits in progress past their
    planned end: for their auditors (every member who records audits when none is named)."""
    items = []
    audits = Audit.objects.for_org(organization).select_related("organization")
    starting = audits.starting_within(START_NOTICE_DAYS, today).prefetch_related("team")
    for audit in starting:
        items.append(
            DueItem(
                title=f"Start internal audit {audit.ref}: {audit.title}",
                due=audit.planned_start,
                url=audit.get_absolute_url(),
                kind="Internal audit",
                people=_team(audit),
                access=Access.AUDIT,
            )
        )
    late = audits.filter(status=AuditStatus.IN_PROGRESS, planned_end__lt=today)
    for audit in late.prefetch_related("team"):
        items.append(
            DueItem(
                title=f"Complete internal audit {audit.ref}: {audit.title}",
                due=audit.planned_end,
                url=audit.get_absolute_url(),
                kind="Internal audit",
                people=_team(audit),
                access=Access.AUDIT,
            )
        )
    return items


hook("dashboard")(dashboard.part)


def cycle_audited(organization, today) -> float | None:
    programme = current_programme(organization, today)
    if programme is None:
        return None
    found = coverage(programme)
    return round(100 * found.audited_count / found.required, 1) if found.required else None


@hook("measures")
def measures() -> list[Measure]:
    return [
        Measure(
            "audits.cycle_audited",
            "Share of the current audit cycle audited",
            "%",
            cycle_audited,
        )
    ]


def _with_org(audits, organization) -> list:
    audits = list(audits)
    for audit in audits:
        audit.organization = organization
    return audits


def _scope_items(request, **requirement) -> Section:
    """The organization's audits that had a clause or control in scope, with their result."""
    items = list(
        ChecklistItem.objects.filter(audit__organization=request.org, **requirement)
        .exclude(audit__status=AuditStatus.CANCELLED)
        .select_related("audit")
        .order_by("-audit__planned_start", "-pk")[: PAGE_LIMIT + 1]
    )
    for item in items:
        item.audit.organization = request.org
    return Section(
        "audits/_requirement_audits.html",
        {"items": items[:PAGE_LIMIT], "more": len(items) > PAGE_LIMIT},
        order=90,
    )


@hook("control_page", order=90)
def control_audits(control, request) -> Section:
    return _scope_items(request, control=control)


@hook("clause_page", order=90)
def clause_audits(clause, request) -> Section | None:
    if clause.ref in INTERNAL_AUDIT_CLAUSES:
        audits = (
            Audit.objects.for_org(request.org)
            .completed()
            .select_related("programme")
            .order_by("-completed_on", "-pk")[: PAGE_LIMIT + 1]
        )
        audits = _with_org(audits, request.org)
        return Section(
            "audits/_internal_audits.html",
            {"audits": audits[:PAGE_LIMIT], "more": len(audits) > PAGE_LIMIT},
            order=90,
        )
    if clause.children.exists():
        return None
    return _scope_items(request, clause=clause)


@hook("system_page", order=80)
def system_audits(system, request) -> Section | None:
    audits = _with_org(
        system.audits.exclude(status=AuditStatus.CANCELLED).order_by("-planned_start", "-pk")[
            : PAGE_LIMIT + 1
        ],
        request.org,
    )
    if not audits:
        return None
    return Section(
        "audits/_system_audits.html",
        {"audits": audits[:PAGE_LIMIT], "more": len(audits) > PAGE_LIMIT},
        column="side",
        order=80,
    )


@hook("nonconformity_page", order=10)
def nonconformity_finding(nonconformity, request) -> Section | None:
    """The audit finding that raised a nonconformity."""
    items = list(
        ChecklistItem.objects.filter(nonconformity=nonconformity, audit__organization=request.org)
        .select_related("audit", "clause", "control")
        .order_by("pk")
    )
    if not items:
        return None
    for item in items:
        item.audit.organization = request.org
    return Section("audits/_nonconformity_finding.html", {"items": items}, order=10)


@hook("system_deletion")
def system_deletion(system) -> list[str]:
    return naming_it(Audit.objects.filter(systems=system).count(), "audit", "audits")


register(
    Area(
        label="audits",
        prefix="audits/",
        urls="aims.audits.urls",
        nav=(
            NavLink(
                "Internal audits", "audit_list", "Do & check", order=55, icon="clipboard-check"
            ),
        ),
        api_router="aims.audits.api.router",
        api_path_records={
            "programme_id": lambda org, v: names_record(AuditProgramme.objects.for_org(org), v),
            "audit_id": lambda org, v: names_record(Audit.objects.for_org(org), v),
            "audit_item_id": lambda org, v: names_record(ChecklistItem.objects.for_org(org), v),
        },
        order=160,
    )
)


@hook("search", order=90)
def search_audits() -> SearchKind:
    return SearchKind(
        "audits",
        "Audits",
        queryset=lambda organization: Audit.objects.filter(organization=organization),
        ref="ref",
        list_url_name="audit_list",
        order=90,
    )


@hook("search", order=91)
def search_audit_programmes() -> SearchKind:
    return SearchKind(
        "audit_programmes",
        "Audit programmes",
        queryset=lambda organization: AuditProgramme.objects.filter(organization=organization),
        list_url_name="audit_programme_list",
        order=91,
    )
