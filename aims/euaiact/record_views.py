"""Pages of the records the Act adds about one AI system (one generic form per kind, see
:mod:`aims.euaiact.kinds`), of its explanation and recourse channel, and of the organization's
register of explanation and recourse requests (Art. 86; ISO/IEC 42001 A.8.2)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .kinds import BY_SLUG, KINDS, RecordKind
from .models import (
    MIN_DEPLOYER_RETENTION_DAYS,
    RecourseChannel,
    RecourseRequest,
    RequestStatus,
    SystemRecord,
)
from .record_forms import (
    RecourseChannelForm,
    RecourseRequestForm,
    RequestFilterForm,
    record_form_class,
)

# An open request due within this many days is flagged "due soon" in the register.
DUE_SOON_DAYS = 7
TRAIL_LENGTH = 20


def trail_of(record, organization):
    """The change trail of one record, newest first."""
    return (
        AuditEvent.objects.for_record(record)
        .filter(organization=organization)
        .order_by("-sequence")[:TRAIL_LENGTH]
    )


def get_system(request, system_id: int) -> AISystem:
    system = get_object_or_404(AISystem.objects.for_org(request.org), pk=system_id)
    system.organization = request.org
    return system


def act_page(system: AISystem, anchor: str) -> str:
    """The system's EU AI Act page, at one of its sections."""
    url = reverse("act_system", kwargs={"org": system.organization.slug, "system_id": system.pk})
    return f"{url}#{anchor}"


# --- The records of one system, as its EU AI Act page shows them -------------------------------


def records_of(kind: RecordKind, system: AISystem) -> list:
    """A kind's records of ``system`` with what the page shows of them, in one query."""
    records = kind.records(system)
    names = {field.name for field in kind.model._meta.get_fields()}
    people = [name for name in ("person", "approved_by") if name in names]
    if people:
        records = records.select_related(*people)
    if {"checks", "kpis"} <= names:
        records = records.annotate(
            check_count=Count("checks", distinct=True), kpi_count=Count("kpis", distinct=True)
        )
    return with_organization(records, system.organization)


def records_context(system: AISystem, request) -> dict:
    """What ``euaiact/_records.html`` shows: every kind's records, the recourse channel and the
    requests still open (a fixed number of queries, whatever the number of records)."""
    requests = RecourseRequest.objects.filter(system=system)
    return {
        "system": system,
        "record_groups": [(kind, records_of(kind, system)) for kind in KINDS],
        "recourse_channel": RecourseChannel.objects.filter(system=system).first(),
        "can_edit": request.membership.can(Access.CONTRIBUTE),
        "open_requests": requests.open().count(),
        "overdue_requests": requests.overdue().count(),
        "min_retention_days": MIN_DEPLOYER_RETENTION_DAYS,
    }


def in_sentence(label: str) -> str:
    """A kind's label inside a sentence: "Log retention" reads "log retention", "EU database
    registration" keeps its capitals."""
    first = label.split(" ", 1)[0]
    return label if first.isupper() else label[:1].lower() + label[1:]


def kind_of(kind: str) -> RecordKind:
    found = BY_SLUG.get(kind)
    if found is None:
        raise Http404("No such kind of record.")
    return found


def get_record(request, system: AISystem, kind: RecordKind, params: dict) -> SystemRecord:
    """The record named in the URL, of this system of this organization (else 404)."""
    pk = params.get(kind.param)
    if pk is None:
        raise Http404("No such record.")
    record = get_object_or_404(
        kind.model.objects.filter(organization=request.org, system=system), pk=pk
    )
    record.organization, record.system = request.org, system
    return record


def record_form_page(request, system: AISystem, kind: RecordKind, record: SystemRecord):
    """The form of a record; saved through the service, it goes back to the system's EU AI Act
    page at the kind's section. A refusal shows beside its field, with status 422."""
    form = record_form_class(kind)(
        request.POST if request.method == "POST" else None, instance=record, system=system
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_record(changed, actor=request.user, m2m=form.many_to_many() or None)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{kind.label} saved.")
            return redirect(act_page(system, kind.anchor))
    context = {
        "form": form,
        "kind": kind,
        "kind_name": in_sentence(kind.label),
        "system": system,
        "record": record,
        "back": act_page(system, kind.anchor),
        "events": trail_of(record, request.org) if record.pk else [],
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "euaiact/record_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def record_create(request, system_id: int, kind: str):
    kind_ = kind_of(kind)
    system = get_system(request, system_id)
    record = kind_.model(organization=request.org, system=system)
    return record_form_page(request, system, kind_, record)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def record_edit(request, system_id: int, kind: str, **params):
    kind_ = kind_of(kind)
    system = get_system(request, system_id)
    return record_form_page(request, system, kind_, get_record(request, system, kind_, params))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def record_delete(request, system_id: int, kind: str, **params):
    kind_ = kind_of(kind)
    system = get_system(request, system_id)
    record = get_record(request, system, kind_, params)
    return confirm_delete(
        request,
        record,
        delete=services.delete_record,
        what=in_sentence(kind_.label),
        back=record.get_absolute_url(),
        done=act_page(system, kind_.anchor),
        consequence=f"It is no longer counted for {kind_.article} on {system.name}'s "
        "EU AI Act page.",
    )


# --- The system's explanation and recourse channel ---------------------------------------------


@org_view()
@require_http_methods(["GET", "POST"])
def recourse_channel(request, system_id: int):
    """How affected persons ask for an explanation or contest a decision: shown to everyone,
    recorded and changed by contributors."""
    system = get_system(request, system_id)
    can_edit = request.membership.can(Access.CONTRIBUTE)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(
            f"Your role ({request.membership.get_role_display()}) cannot do this here."
        )
    channel = RecourseChannel.objects.filter(system=system).first() or RecourseChannel(
        organization=request.org, system=system
    )
    channel.organization, channel.system = request.org, system
    form = (
        RecourseChannelForm(request.POST if request.method == "POST" else None, instance=channel)
        if can_edit
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.save_record(form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"The explanation and recourse channel of {system.name} saved."
            )
            return redirect(act_page(system, "recourse"))
    context = {
        "form": form,
        "system": system,
        "channel": channel,
        "back": act_page(system, "recourse"),
        "events": trail_of(channel, request.org) if channel.pk else [],
        "open_requests": RecourseRequest.objects.filter(system=system).open().count(),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "euaiact/recourse_channel_form.html", context, status=status)


# --- The register of explanation and recourse requests -----------------------------------------


def get_request(request, recourse_request_id: int) -> RecourseRequest:
    found = get_object_or_404(
        RecourseRequest.objects.for_org(request.org).select_related("system", "handled_by"),
        pk=recourse_request_id,
    )
    found.organization = found.system.organization = request.org
    return found


def mark_due(requests, today: dt.date) -> None:
    """Say of each request whether its answer is overdue or due soon."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    for found in requests:
        is_open = found.status == RequestStatus.OPEN
        found.overdue = is_open and found.due_on < today
        found.due_soon = is_open and today <= found.due_on <= soon


def filtered_requests(request):
    filters = RequestFilterForm(request.GET, organization=request.org)
    found = filters.filter(
        RecourseRequest.objects.for_org(request.org).select_related("system", "handled_by")
    )
    return found, filters


@org_view()
def request_list(request):
    found, filters = filtered_requests(request)
    page = paginate(request, found)
    rows = with_organization(page.object_list, request.org)
    today = timezone.localdate()
    mark_due(rows, today)
    everything = RecourseRequest.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "requests": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("act_request_list", kwargs={"org": request.org.slug}),
        "open_count": everything.open().count(),
        "overdue_count": everything.overdue(today).count(),
    }
    return render(request, "euaiact/request_list.html", context)


@org_view()
def request_export_csv(request):
    found, _ = filtered_requests(request)
    response, writer = csv_download("explanation-and-recourse-requests", request.org)
    writer.writerow(
        [
            "Reference",
            "AI system",
            "Kind",
            "Received on",
            "Requester",
            "What is asked",
            "Answer due",
            "Status",
            "Overdue",
            "Handled by",
            "Answered on",
            "Outcome",
        ]
    )
    today = timezone.localdate()
    for row in found:
        writer.writerow(
            [
                row.ref,
                row.system.name,
                row.get_kind_display(),
                row.received_on,
                row.requester,
                row.summary,
                row.due_on,
                row.get_status_display(),
                "yes" if row.is_overdue(today) else "",
                person_label(row.handled_by) if row.handled_by else "",
                row.answered_on or "",
                row.outcome,
            ]
        )
    return response


def system_named(request, value: str) -> AISystem | None:
    """The organization's system named by ``?system=``: its short id, or its number."""
    systems = AISystem.objects.for_org(request.org)
    if not value or len(value) > 100:
        return None
    found = systems.filter(slug=value).first()
    if found is None and value.isascii() and value.isdigit():
        found = systems.filter(pk=int(value)).first()
    return found


def request_form_page(request, recourse_request: RecourseRequest, *, initial=None):
    form = RecourseRequestForm(
        request.POST if request.method == "POST" else None,
        instance=recourse_request,
        organization=request.org,
        initial=initial,
    )
    new = recourse_request.pk is None

    def save(form):
        changed = form.save(commit=False)
        if new:
            return services.receive_request(changed, actor=request.user)
        return services.save_record(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="euaiact/request_form.html",
        saved=lambda saved: f"Request {saved.ref} {'recorded' if new else 'saved'}.",
        context={"recourse_request": recourse_request},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def request_create(request):
    system = system_named(request, request.GET.get("system", ""))
    initial = {"received_on": timezone.localdate(), "system": system}
    recourse_request = RecourseRequest(organization=request.org)
    return request_form_page(request, recourse_request, initial=initial)


@org_view()
def request_detail(request, recourse_request_id: int):
    found = get_request(request, recourse_request_id)
    today = timezone.localdate()
    mark_due([found], today)
    context = {
        "recourse_request": found,
        "channel": RecourseChannel.objects.filter(system=found.system).first(),
        "events": trail_of(found, request.org),
        "today": today,
    }
    return render(request, "euaiact/request_detail.html", context)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def request_edit(request, recourse_request_id: int):
    found = get_request(request, recourse_request_id)
    initial = {}
    if found.status == RequestStatus.OPEN:
        initial = {"handled_by": found.handled_by or request.user}
    return request_form_page(request, found, initial=initial)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def request_delete(request, recourse_request_id: int):
    found = get_request(request, recourse_request_id)
    return confirm_delete(
        request,
        found,
        delete=services.delete_record,
        what="explanation or recourse request",
        back=found.get_absolute_url(),
        done=reverse("act_request_list", kwargs={"org": request.org.slug}),
        consequence="Only for a request recorded by mistake: one that was answered or "
        "withdrawn stays in the register as the record of it.",
    )
