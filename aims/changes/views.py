"""Pages of planned changes to AI systems (6.3, A.6.2)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import act, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import PlannedChangeFilterForm, PlannedChangeForm, ReasonForm
from .models import Kind, PlannedChange, Status


def get_change(request, change_id: int) -> PlannedChange:
    change = get_object_or_404(
        PlannedChange.objects.for_org(request.org).select_related(
            "system", "proposed_by", "approved_by", "closed_by", "implemented_by"
        ),
        pk=change_id,
    )
    change.organization = request.org
    change.system.organization = request.org
    return change


def filtered_changes(request):
    form = PlannedChangeFilterForm(request.GET, organization=request.org)
    changes = (
        PlannedChange.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("system", "proposed_by", "approved_by")
        .order_by("-created_at", "-pk")
    )
    return changes, form


@org_view()
def change_list(request):
    changes, filters = filtered_changes(request)
    page = paginate(request, changes)
    context = {
        "page_obj": page,
        "changes": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("change_list", kwargs={"org": request.org.slug}),
        "today": timezone.localdate(),
    }
    return render(request, "changes/change_list.html", context)


@org_view()
def change_export_csv(request):
    changes, _ = filtered_changes(request)
    response, writer = csv_download("planned-changes", request.org)
    writer.writerow(
        [
            "Number",
            "AI system",
            "Kind",
            "What changes",
            "Why",
            "New version",
            "New intended use",
            "Planned for",
            "Status",
            "Proposed by",
            "Approved by",
            "Approved at",
            "Implemented at",
        ]
    )
    for change in changes:
        writer.writerow(
            [
                change.pk,
                change.system.name,
                change.get_kind_display(),
                change.description,
                change.reason,
                change.new_version,
                change.new_intended_use,
                change.planned_date or "",
                change.get_status_display(),
                person_label(change.proposed_by) if change.proposed_by else "",
                person_label(change.approved_by) if change.approved_by else "",
                change.approved_at.date().isoformat() if change.approved_at else "",
                change.implemented_at.date().isoformat() if change.implemented_at else "",
            ]
        )
    return response


def change_form_page(request, change: PlannedChange):
    form = PlannedChangeForm(
        request.POST if request.method == "POST" else None,
        instance=change,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_change(
            changed,
            actor=request.user,
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="changes/change_form.html",
        saved=lambda changed: f"Planned change “{changed}” saved.",
        context={"change": change, "kinds": Kind},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_create(request):
    change = PlannedChange(organization=request.org)
    system_id = request.GET.get("system", "")
    if request.method == "GET" and system_id.isascii() and system_id.isdigit():
        change.system = AISystem.objects.for_org(request.org).filter(pk=int(system_id)).first()
    return change_form_page(request, change)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_edit(request, change_id: int):
    change = get_change(request, change_id)
    if change.status != Status.PROPOSED:
        messages.error(
            request,
            f"This change is {change.get_status_display().lower()}: only a proposed change is "
            "edited.",
        )
        return redirect(change.get_absolute_url())
    return change_form_page(request, change)


@org_view()
def change_detail(request, change_id: int):
    change = get_change(request, change_id)
    system = change.system
    context = {
        "change": change,
        "system": system,
        "can_decide": request.membership.can(Access.DECIDE),
        "may_withdraw": change.is_open and services.may_withdraw(change, request.user),
        "overdue": change.is_overdue(),
        "effects": change.effects or {},
        "reopened": (change.effects or {}).get("reopened", []),
        # the gates as they stand now, for a change made already
        "unmet_now": services.unmet_requirements(system)
        if change.status == Status.IMPLEMENTED
        else {},
        "events": AuditEvent.objects.for_record(change)[:20],
    }
    return render(request, "changes/change_detail.html", context)


def _act(request, change, action, success: str):
    return act(request, action, success, back=change.get_absolute_url())


@org_view(Access.DECIDE)
@require_POST
def change_approve(request, change_id: int):
    change = get_change(request, change_id)
    return _act(
        request,
        change,
        lambda: services.approve(change, actor=request.user),
        "Change approved: implement it when it is made.",
    )


def _reason_page(request, change, *, action, title: str, button: str, explain: str, done: str):
    form = ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                action(form.cleaned_data["reason"])
            except PermissionDenied as exc:
                messages.error(request, str(exc) or "You may not do this.")
                return redirect(change.get_absolute_url())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect(change.get_absolute_url())
    context = {
        "change": change,
        "form": form,
        "title": title,
        "button": button,
        "explain": explain,
    }
    return render(request, "changes/change_decide.html", context, status=status)


@org_view(Access.DECIDE)
@require_http_methods(["GET", "POST"])
def change_reject(request, change_id: int):
    change = get_change(request, change_id)
    return _reason_page(
        request,
        change,
        action=lambda reason: services.reject(change, actor=request.user, reason=reason),
        title="Reject this change",
        button="Reject the change",
        explain="A rejected change stays in the record and is not implemented.",
        done="Change rejected.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_withdraw(request, change_id: int):
    change = get_change(request, change_id)
    return _reason_page(
        request,
        change,
        action=lambda reason: services.withdraw(change, actor=request.user, reason=reason),
        title="Withdraw this change",
        button="Withdraw the change",
        explain="A withdrawn change stays in the record and is not implemented.",
        done="Change withdrawn.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_implement(request, change_id: int):
    """Ask first (what the change will do to the system), then implement it."""
    change = get_change(request, change_id)
    if request.method == "POST":
        return _act(
            request,
            change,
            lambda: services.implement(change, actor=request.user),
            "Change implemented: the system's record is updated and its assessments are due again.",
        )
    context = {
        "change": change,
        "system": change.system,
        "risks": change.system.risks.open().order_by("ref"),
    }
    return render(request, "changes/change_implement.html", context)
