"""Pages of the communication plan and log (ISO/IEC 42001 7.4)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import CommunicationForm, LogFilterForm, PlanEntryForm, PlanFilterForm
from .models import Communication, PlanEntry


def _name(user) -> str:
    return person_label(user) if user is not None else ""


# --- The plan --------------------------------------------------------------------------------


def _plan(request):
    form = PlanFilterForm(request.GET, organization=request.org)
    entries = (
        PlanEntry.objects.for_org(request.org)
        .filtered(**form.filters(), today=timezone.localdate())
        .select_related("communicator")
        .prefetch_related("clauses", "controls")
    )
    return entries, form


@org_view()
def plan_list(request):
    entries, filters = _plan(request)
    page = paginate(request, entries)
    today = timezone.localdate()
    context = {
        "page_obj": page,
        "entries": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "today": today,
        "overdue_count": PlanEntry.objects.for_org(request.org).overdue(today).count(),
    }
    return render(request, "communication/plan_list.html", context)


@org_view()
def plan_export_csv(request):
    entries, _ = _plan(request)
    today = timezone.localdate()
    response, writer = csv_download("communication-plan", request.org)
    writer.writerow(
        [
            "What",
            "Description",
            "Frequency",
            "Next due",
            "Overdue",
            "Internal or external",
            "With whom",
            "How",
            "Who communicates",
            "Clauses and controls",
        ]
    )
    for entry in entries:
        writer.writerow(
            [
                entry.topic,
                entry.description,
                entry.get_frequency_display(),
                entry.next_due,
                "Yes" if entry.is_overdue(today) else "No",
                entry.get_audience_kind_display(),
                entry.audience,
                entry.get_channel_display(),
                _name(entry.communicator),
                "; ".join(entry.requirement_refs()),
            ]
        )
    return response


def get_entry(request, plan_entry_id: int) -> PlanEntry:
    entry = get_object_or_404(
        PlanEntry.objects.for_org(request.org).select_related("communicator"), pk=plan_entry_id
    )
    entry.organization = request.org
    return entry


@org_view()
def plan_detail(request, plan_entry_id: int):
    entry = get_entry(request, plan_entry_id)
    logged = entry.communications.select_related("communicated_by")
    context = {
        "entry": entry,
        "communications": with_organization(list(logged[:20]), request.org),
        "communication_count": logged.count(),
        "overdue": entry.is_overdue(),
        "events": AuditEvent.objects.for_record(entry)[:20],
    }
    return render(request, "communication/plan_detail.html", context)


def _plan_form(request, entry: PlanEntry):
    form = PlanEntryForm(
        request.POST if request.method == "POST" else None, instance=entry, organization=request.org
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_plan_entry(
            changed,
            actor=request.user,
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="communication/plan_form.html",
        saved=lambda changed: f"Plan entry “{changed.topic}” saved.",
        context={"entry": entry},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def plan_create(request):
    return _plan_form(request, PlanEntry(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_entry_id: int):
    return _plan_form(request, get_entry(request, plan_entry_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def plan_delete(request, plan_entry_id: int):
    entry = get_entry(request, plan_entry_id)
    return confirm_delete(
        request,
        entry,
        what="plan entry",
        delete=services.delete_plan_entry,
        back=entry.get_absolute_url(),
        done=reverse("communication_plan_list", kwargs={"org": request.org.slug}),
        consequence="Communications logged against it stay in the log, no longer linked.",
    )


# --- The log ---------------------------------------------------------------------------------


def _log(request):
    form = LogFilterForm(request.GET, organization=request.org)
    found = (
        Communication.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("communicated_by", "plan_entry")
    )
    return found, form


@org_view()
def log_list(request):
    found, filters = _log(request)
    page = paginate(request, found)
    records = with_organization(page.object_list, request.org)
    for record in records:
        if record.plan_entry is not None:
            record.plan_entry.organization = request.org
    context = {
        "page_obj": page,
        "communications": records,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
    }
    return render(request, "communication/log_list.html", context)


@org_view()
def log_export_csv(request):
    found, _ = _log(request)
    response, writer = csv_download("communication-log", request.org)
    writer.writerow(["Date", "Summary", "With whom", "How", "By whom", "Planned entry"])
    for c in found:
        writer.writerow(
            [
                c.communicated_on,
                c.summary,
                c.audience,
                c.get_channel_display(),
                _name(c.communicated_by),
                c.plan_entry.topic if c.plan_entry else "",
            ]
        )
    return response


def get_communication(request, communication_id: int) -> Communication:
    found = get_object_or_404(
        Communication.objects.for_org(request.org).select_related("communicated_by", "plan_entry"),
        pk=communication_id,
    )
    found.organization = request.org
    if found.plan_entry is not None:
        found.plan_entry.organization = request.org
    return found


@org_view()
def log_detail(request, communication_id: int):
    communication = get_communication(request, communication_id)
    context = {
        "communication": communication,
        "events": AuditEvent.objects.for_record(communication)[:20],
    }
    return render(request, "communication/log_detail.html", context)


def _log_form(request, communication: Communication):
    initial = {}
    if communication.pk is None:
        entry_id = request.GET.get("plan", "")
        entry = (
            PlanEntry.objects.for_org(request.org).filter(pk=int(entry_id)).first()
            if entry_id.isdigit()
            else None
        )
        initial = {"communicated_on": timezone.localdate(), "communicated_by": request.user.pk}
        if entry is not None:
            initial.update(
                plan_entry=entry.pk,
                audience=entry.audience,
                channel=entry.channel,
                summary=entry.topic,
                communicated_by=entry.communicator_id or request.user.pk,
            )
    form = CommunicationForm(
        request.POST if request.method == "POST" else None,
        instance=communication,
        organization=request.org,
        initial=initial,
    )
    is_new = communication.pk is None
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.log_communication(changed, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = "Communication logged."
            entry = changed.plan_entry
            if is_new and entry is not None:
                text += (
                    f" “{entry.topic}” is next due {entry.next_due:%Y-%m-%d}."
                    if entry.next_due
                    else f" “{entry.topic}” has nothing due now."
                )
            messages.success(request, text)
            return redirect(changed.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "communication/log_form.html",
        {"form": form, "communication": communication},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def log_create(request):
    return _log_form(request, Communication(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def log_edit(request, communication_id: int):
    return _log_form(request, get_communication(request, communication_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def log_delete(request, communication_id: int):
    communication = get_communication(request, communication_id)
    return confirm_delete(
        request,
        communication,
        what="communication",
        delete=services.delete_communication,
        back=communication.get_absolute_url(),
        done=reverse("communication_log_list", kwargs={"org": request.org.slug}),
        consequence="The plan entry it carried out keeps its next due date.",
    )
