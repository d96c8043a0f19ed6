"""Pages of the internal audit programme (9.2): programmes, their coverage, audits.

Reading is open to every member; every write needs ``Access.AUDIT`` (the Auditor role, AIMS
Managers and Owners). The checklist and the report are in :mod:`.checklist_views`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import independence, services
from .coverage import coverage, current_programme
from .forms import (
    AuditFilterForm,
    AuditForm,
    CancelForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    StartForm,
)
from .models import FINDINGS, Audit, AuditProgramme, AuditStatus, Result


def can_audit(request) -> bool:
    return request.membership.can(Access.AUDIT)


# --- Programmes --------------------------------------------------------------------------------


def get_programme(request, programme_id: int) -> AuditProgramme:
    programme = get_object_or_404(
        AuditProgramme.objects.for_org(request.org).select_related("owner"), pk=programme_id
    )
    programme.organization = request.org
    return programme


def filtered_programmes(request):
    form = ProgrammeFilterForm(request.GET)
    programmes = (
        AuditProgramme.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner")
        .annotate(
            audit_count=Count("audits", filter=~Q(audits__status=AuditStatus.CANCELLED)),
            completed_count=Count("audits", filter=Q(audits__status=AuditStatus.COMPLETED)),
        )
        .order_by("-starts_on", "-pk")
    )
    return programmes, form


@org_view()
def programme_list(request):
    programmes, filters = filtered_programmes(request)
    page = paginate(request, programmes)
    today = timezone.localdate()
    current = current_programme(request.org, today)
    context = {
        "page_obj": page,
        "programmes": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("audit_programme_list", kwargs={"org": request.org.slug}),
        "current": current,
        "today": today,
        "can_audit": can_audit(request),
        "tab": "programmes",
    }
    return render(request, "audits/programme_list.html", context)


@org_view()
def programme_export_csv(request):
    programmes, _ = filtered_programmes(request)
    response, writer = csv_download("audit-programmes", request.org)
    writer.writerow(
        [
            "Title",
            "Cycle starts on",
            "Cycle ends on",
            "Owner",
            "Objectives",
            "Criteria",
            "Frequency and methods",
            "Audits planned",
            "Audits completed",
        ]
    )
    for programme in programmes:
        writer.writerow(
            [
                programme.title,
                programme.starts_on.isoformat(),
                programme.ends_on.isoformat(),
                person_label(programme.owner) if programme.owner else "",
                programme.objectives,
                programme.criteria,
                programme.method,
                programme.audit_count,
                programme.completed_count,
            ]
        )
    return response


def programme_form_page(request, programme: AuditProgramme):
    form = ProgrammeForm(
        request.POST if request.method == "POST" else None,
        instance=programme,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_programme(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="audits/programme_form.html",
        saved=lambda changed: f"Audit programme “{changed.title}” saved.",
        context={"programme": programme},
    )


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def programme_create(request):
    programme = AuditProgramme(organization=request.org)
    if request.method == "GET":
        today = timezone.localdate()
        programme.title = str(today.year)
        programme.starts_on = today.replace(month=1, day=1)
        programme.ends_on = today.replace(month=12, day=31)
        programme.criteria = "ISO/IEC 42001:2023; the AI policy and the AIMS procedures."
    return programme_form_page(request, programme)


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def programme_edit(request, programme_id: int):
    return programme_form_page(request, get_programme(request, programme_id))


@org_view()
def programme_detail(request, programme_id: int):
    programme = get_programme(request, programme_id)
    audits = with_organization(
        programme.audits.select_related("lead_auditor")
        .annotate(
            item_count=Count("items", distinct=True),
            finding_count=Count("items", filter=Q(items__result__in=FINDINGS), distinct=True),
        )
        .order_by("planned_start", "pk"),
        request.org,
    )
    context = {
        "programme": programme,
        "audits": audits,
        "coverage": coverage(programme),
        "today": timezone.localdate(),
        "can_audit": can_audit(request),
        "deletion_refusal": services.programme_deletion_refusal(programme),
        "events": AuditEvent.objects.for_record(programme)[:20],
    }
    return render(request, "audits/programme_detail.html", context)


@org_view()
def programme_coverage(request, programme_id: int):
    """The coverage matrix: every requirement of the cycle, the audits that plan it, whether a
    completed audit examined it. ``?missing=1`` keeps those not audited yet."""
    programme = get_programme(request, programme_id)
    found = coverage(programme)
    missing = request.GET.get("missing") == "1"
    clauses = [r for r in found.clauses if not (missing and r.audited)]
    controls = [r for r in found.controls if not (missing and r.audited)]
    context = {
        "programme": programme,
        "coverage": found,
        "clauses": clauses,
        "controls": controls,
        "missing": missing,
        "can_audit": can_audit(request),
    }
    return render(request, "audits/programme_coverage.html", context)


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def programme_delete(request, programme_id: int):
    programme = get_programme(request, programme_id)
    return confirm_delete(
        request,
        programme,
        delete=services.delete_programme,
        what="audit programme",
        back=programme.get_absolute_url(),
        done=reverse("audit_programme_list", kwargs={"org": request.org.slug}),
        consequence="Its audits that never started are deleted with it.",
    )


# --- Audits ------------------------------------------------------------------------------------


def get_audit(request, audit_id: int) -> Audit:
    audit = get_object_or_404(
        Audit.objects.for_org(request.org).select_related("programme", "lead_auditor"),
        pk=audit_id,
    )
    audit.organization = request.org
    audit.programme.organization = request.org
    return audit


def filtered_audits(request):
    today = timezone.localdate()
    form = AuditFilterForm(request.GET, organization=request.org)
    audits = (
        Audit.objects.for_org(request.org)
        .filtered(**form.filters(today))
        .select_related("programme", "lead_auditor")
        .annotate(
            item_count=Count("items", distinct=True),
            answered_count=Count("items", filter=~Q(items__result=""), distinct=True),
            finding_count=Count("items", filter=Q(items__result__in=FINDINGS), distinct=True),
        )
        .order_by("-planned_start", "-pk")
    )
    return audits, form


@org_view()
def audit_list(request):
    audits, filters = filtered_audits(request)
    page = paginate(request, audits)
    today = timezone.localdate()
    everything = Audit.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "audits": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("audit_list", kwargs={"org": request.org.slug}),
        "today": today,
        "active_count": everything.active().count(),
        "overdue_count": everything.overdue(today).count(),
        "has_programme": AuditProgramme.objects.for_org(request.org).exists(),
        "can_audit": can_audit(request),
        "tab": "audits",
    }
    return render(request, "audits/audit_list.html", context)


@org_view()
def internal_audit_export_csv(request):
    audits, _ = filtered_audits(request)
    audits = audits.prefetch_related("team", "clauses", "controls", "systems")
    response, writer = csv_download("internal-audits", request.org)
    writer.writerow(
        [
            "Id",
            "Title",
            "Programme",
            "Status",
            "Lead auditor",
            "Other auditors",
            "Planned start",
            "Planned end",
            "Started on",
            "Completed on",
            "Scope",
            "Criteria",
            "Clauses in scope",
            "Annex A controls in scope",
            "AI systems sampled",
            "Processes sampled",
            "Checklist items",
            "Items answered",
            "Findings",
            "Conclusion",
        ]
    )

    def day(value):
        return value.isoformat() if value else ""

    for audit in audits:
        writer.writerow(
            [
                audit.ref,
                audit.title,
                audit.programme.title,
                audit.get_status_display(),
                person_label(audit.lead_auditor) if audit.lead_auditor else "",
                "; ".join(person_label(u) for u in audit.team.all()),
                day(audit.planned_start),
                day(audit.planned_end),
                day(audit.started_on),
                day(audit.completed_on),
                audit.scope,
                audit.effective_criteria(),
                "; ".join(c.ref for c in audit.clauses.all()),
                "; ".join(c.ref for c in audit.controls.all()),
                "; ".join(s.name for s in audit.systems.all()),
                audit.processes,
                audit.item_count,
                audit.answered_count,
                audit.finding_count,
                audit.conclusion,
            ]
        )
    return response


def audit_form_page(request, audit: Audit):
    form = AuditForm(
        request.POST if request.method == "POST" else None,
        instance=audit,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_audit(
            changed,
            actor=request.user,
            team=list(form.cleaned_data["team"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
            systems=list(form.cleaned_data["systems"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="audits/audit_form.html",
        saved=lambda changed: f"Audit {changed.ref} saved; its checklist follows its scope.",
        context={"audit": audit, "rules": independence.RULES},
    )


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def audit_create(request):
    """A new audit; ``?programme=`` plans it in that programme (the current one otherwise)."""
    audit = Audit(organization=request.org)
    if request.method == "GET":
        today = timezone.localdate()
        chosen = request.GET.get("programme", "")
        programme = None
        if chosen.isascii() and chosen.isdigit() and len(chosen) < 18:
            programme = AuditProgramme.objects.for_org(request.org).filter(pk=int(chosen)).first()
        programme = programme or current_programme(request.org, today)
        if programme is None:
            programme = AuditProgramme.objects.for_org(request.org).first()
        if programme is None:
            messages.info(request, "Plan an audit programme first: each audit belongs to one.")
            return redirect("audit_programme_create", org=request.org.slug)
        audit.programme = programme
        start = max(today, programme.starts_on)
        if start <= programme.ends_on:
            audit.planned_start = audit.planned_end = start
        if request.membership.role == "auditor":
            audit.lead_auditor = request.user
    return audit_form_page(request, audit)


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def audit_edit(request, audit_id: int):
    audit = get_audit(request, audit_id)
    if not audit.is_active:
        messages.error(
            request,
            f"{audit.ref} is {audit.get_status_display().lower()}: it does not change any more.",
        )
        return redirect(audit.get_absolute_url())
    return audit_form_page(request, audit)


def result_counts(audit: Audit) -> list[tuple[str, str, int]]:
    counts = dict(
        audit.items.exclude(result="")
        .values_list("result")
        .annotate(n=Count("pk"))
        .values_list("result", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Result.choices]


def audit_page(request, audit: Audit, *, start_form=None, cancel_form=None, status=200):
    items = list(audit.items.select_related("clause", "control", "nonconformity", "improvement"))
    for item in items:
        item.audit = audit
        for record in (item.nonconformity, item.improvement):
            if record is not None:
                record.organization = request.org
    conflicts = independence.conflicts_of(audit)
    context = {
        "audit": audit,
        "team": list(audit.team.all()),
        "clauses": list(audit.clauses.all()),
        "controls": list(audit.controls.all()),
        "systems": with_organization(audit.systems.all(), request.org),
        "items": items,
        "findings": [item for item in items if item.is_finding],
        "answered": sum(1 for item in items if item.result),
        "counts": result_counts(audit),
        "conflicts": conflicts,
        "rules": independence.RULES,
        "today": timezone.localdate(),
        "start_refusal": services.start_refusal(audit),
        "completion_refusal": services.completion_refusal(audit),
        "deletion_refusal": services.deletion_refusal(audit),
        "start_form": start_form or StartForm(auto_id="start_%s"),
        "cancel_form": cancel_form or CancelForm(auto_id="cancel_%s"),
        "can_audit": can_audit(request),
        "events": AuditEvent.objects.for_record(audit)[:20],
    }
    return render(request, "audits/audit_detail.html", context, status=status)


@org_view()
def audit_detail(request, audit_id: int):
    return audit_page(request, get_audit(request, audit_id))


@org_view(Access.AUDIT)
@require_POST
def audit_start(request, audit_id: int):
    audit = get_audit(request, audit_id)
    form = StartForm(request.POST, auto_id="start_%s")
    if form.is_valid():
        try:
            services.start_audit(audit, actor=request.user, on=form.cleaned_data["started_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{audit.ref} started: record the results on its checklist.")
            return redirect(audit.checklist_url())
    audit = get_audit(request, audit_id)
    return audit_page(request, audit, start_form=form, status=422)


@org_view(Access.AUDIT)
@require_POST
def audit_cancel(request, audit_id: int):
    audit = get_audit(request, audit_id)
    form = CancelForm(request.POST, auto_id="cancel_%s")
    if form.is_valid():
        try:
            services.cancel_audit(audit, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{audit.ref} cancelled.")
            return redirect(audit.get_absolute_url())
    audit = get_audit(request, audit_id)
    return audit_page(request, audit, cancel_form=form, status=422)


@org_view(Access.AUDIT)
@require_http_methods(["GET", "POST"])
def audit_delete(request, audit_id: int):
    audit = get_audit(request, audit_id)
    return confirm_delete(
        request,
        audit,
        delete=services.delete_audit,
        what="audit",
        back=audit.get_absolute_url(),
        done=audit.programme.get_absolute_url(),
        consequence="Only a planned or cancelled audit with no result recorded is deleted; its "
        "checklist goes with it.",
    )
