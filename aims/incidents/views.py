"""Pages of AI incidents (A.8.4, EU AI Act Art. 73)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.checks.models import Alert, CheckRun
from aims.core.areas import page_sections
from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import CommunicationForm, IncidentFilterForm, IncidentForm, ReportForm, TimelineForm
from .models import NEAR_DEADLINE_DAYS, Incident, IncidentStatus

# The detail page holds three forms: each names its fields' ids apart.
TIMELINE_IDS, COMMUNICATION_IDS = "timeline_%s", "communication_%s"


def get_incident(request, incident_id: int) -> Incident:
    incident = get_object_or_404(
        Incident.objects.for_org(request.org).select_related(
            "system", "owner", "check_run__definition", "alert", "created_by"
        ),
        pk=incident_id,
    )
    incident.organization = request.org
    return incident


def filtered_incidents(request):
    form = IncidentFilterForm(request.GET, organization=request.org)
    incidents = (
        Incident.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("system", "owner")
        .order_by("-became_aware_at", "-pk")
    )
    return incidents, form


@org_view()
def incident_list(request):
    incidents, filters = filtered_incidents(request)
    page = paginate(request, incidents)
    everything = Incident.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "incidents": with_organization(list(page.object_list), request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("incident_list", kwargs={"org": request.org.slug}),
        "now": timezone.now(),
        "active_count": everything.active().count(),
        "overdue_count": everything.report_overdue().count(),
        "tab": "incidents",
    }
    return render(request, "incidents/incident_list.html", context)


@org_view()
def incident_export_csv(request):
    incidents, _ = filtered_incidents(request)
    incidents = incidents.prefetch_related("risks", "clauses", "controls")
    response, writer = csv_download("ai-incidents", request.org)
    writer.writerow(
        [
            "Id",
            "AI system",
            "Title",
            "What happened",
            "Harm and persons affected",
            "Number affected",
            "Severity",
            "Status",
            "Occurred at",
            "Became aware at",
            "Contained at",
            "Resolved at",
            "Owner",
            "Root cause",
            "Corrective actions",
            "Serious (Art. 73)",
            "Type of serious incident",
            "Report due by",
            "Reported to the authority at",
            "Authority's reference",
            "Risks",
            "Clauses and controls",
        ]
    )

    def stamp(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    for incident in incidents:
        writer.writerow(
            [
                incident.ref,
                incident.system.name,
                incident.title,
                incident.what_happened,
                incident.harm,
                incident.persons_affected if incident.persons_affected is not None else "",
                incident.get_severity_display(),
                incident.get_status_display(),
                stamp(incident.occurred_at),
                stamp(incident.became_aware_at),
                stamp(incident.contained_at),
                stamp(incident.resolved_at),
                person_label(incident.owner) if incident.owner else "",
                incident.root_cause,
                incident.corrective_actions,
                "yes" if incident.is_serious else "no",
                incident.get_serious_type_display() if incident.serious_type else "",
                stamp(incident.report_due_at),
                stamp(incident.reported_to_authority_at),
                incident.authority_reference,
                "; ".join(r.ref for r in incident.risks.all()),
                "; ".join(incident.requirement_refs()),
            ]
        )
    return response


def incident_form_page(request, incident: Incident):
    form = IncidentForm(
        request.POST if request.method == "POST" else None,
        instance=incident,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_incident(
            changed,
            actor=request.user,
            risks=list(form.cleaned_data["risks"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="incidents/incident_form.html",
        saved=lambda changed: f"Incident {changed.ref} saved.",
        context={"incident": incident},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def incident_create(request):
    """A new incident; ``?system=`` starts it on that AI system."""
    incident = Incident(organization=request.org)
    if request.method == "GET":
        now = timezone.localtime().replace(second=0, microsecond=0)
        incident.occurred_at = incident.became_aware_at = now
        slug = request.GET.get("system", "")
        if slug:
            incident.system = request.org.ai_systems.filter(slug=slug[:200]).first()
    return incident_form_page(request, incident)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def incident_edit(request, incident_id: int):
    return incident_form_page(request, get_incident(request, incident_id))


def incident_page(request, incident, *, timeline_form=None, communication_form=None, status=200):
    now = timezone.now()
    following = incident.next_status
    context = {
        "incident": incident,
        "now": now,
        "timeline": list(incident.timeline.select_related("who")),
        "communications": list(incident.communications.select_related("who")),
        "risks": list(incident.risks.all()),
        "clauses": list(incident.clauses.all()),
        "controls": list(incident.controls.all()),
        "concerns": with_organization(list(incident.concerns.all()), request.org),
        "next_status": following,
        "refusal": services.transition_refusal(incident, following) if following else None,
        "days_left": incident.days_left(now),
        "overdue": incident.report_overdue(now),
        "near": incident.report_near(now),
        "near_days": NEAR_DEADLINE_DAYS,
        "deletion_refusal": services.deletion_refusal(incident),
        "timeline_form": timeline_form
        or TimelineForm(initial={"when": _now_minute()}, auto_id=TIMELINE_IDS),
        "communication_form": communication_form
        or CommunicationForm(initial={"when": _now_minute()}, auto_id=COMMUNICATION_IDS),
        "report_form": ReportForm(auto_id="report_%s"),
        "events": AuditEvent.objects.for_record(incident)[:20],
        "sections": page_sections("incident_page", incident, request),
    }
    return render(request, "incidents/incident_detail.html", context, status=status)


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


@org_view()
def incident_detail(request, incident_id: int):
    return incident_page(request, get_incident(request, incident_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_transition(request, incident_id: int):
    incident = get_incident(request, incident_id)
    to = request.POST.get("to", "")[:20]
    try:
        services.transition(incident, to, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Incident {incident.ref} is now {IncidentStatus(to).label.lower()}."
        )
    return redirect(incident.get_absolute_url())


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_report(request, incident_id: int):
    incident = get_incident(request, incident_id)
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the reference and the time: " + form.errors.as_text())
        return redirect(incident.get_absolute_url())
    try:
        services.mark_reported(
            incident,
            actor=request.user,
            reference=form.cleaned_data["reference"],
            when=form.cleaned_data["when"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Report to the authority recorded.")
    return redirect(incident.get_absolute_url())


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_timeline_add(request, incident_id: int):
    incident = get_incident(request, incident_id)
    form = TimelineForm(request.POST, auto_id=TIMELINE_IDS)
    if form.is_valid():
        try:
            services.add_timeline_entry(
                incident,
                actor=request.user,
                when=form.cleaned_data["when"],
                what=form.cleaned_data["what"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Timeline entry added.")
            return redirect(incident.get_absolute_url() + "#timeline")
    return incident_page(request, incident, timeline_form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_communication_add(request, incident_id: int):
    incident = get_incident(request, incident_id)
    form = CommunicationForm(request.POST, auto_id=COMMUNICATION_IDS)
    if form.is_valid():
        try:
            services.log_communication(incident, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Communication logged.")
            return redirect(incident.get_absolute_url() + "#communications")
    return incident_page(request, incident, communication_form=form, status=422)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def incident_delete(request, incident_id: int):
    incident = get_incident(request, incident_id)
    return confirm_delete(
        request,
        incident,
        delete=services.delete_incident,
        what="incident",
        back=incident.get_absolute_url(),
        done=reverse("incident_list", kwargs={"org": request.org.slug}),
        consequence="Only an open incident recorded by mistake is deleted; its timeline goes "
        "with it. A concern triaged into it becomes new again.",
    )


def _opened(request, incident: Incident, created: bool):
    if created:
        messages.success(
            request, f"Incident {incident.ref} opened from the failed run: complete what is known."
        )
    else:
        messages.info(
            request, f"An incident was already opened from this run: {incident.ref}. Here it is."
        )
    incident.organization = request.org
    return redirect(incident.get_absolute_url())


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_from_run(request, run_id: int):
    run = get_object_or_404(CheckRun.objects.for_org(request.org), pk=run_id)
    try:
        incident, created = services.open_from_run(run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("run_detail", org=request.org.slug, run_id=run.pk)
    return _opened(request, incident, created)


@org_view(Access.CONTRIBUTE)
@require_POST
def incident_from_alert(request, alert_id: int):
    alert = get_object_or_404(
        Alert.objects.filter(organization=request.org).select_related("run", "last_run"),
        pk=alert_id,
    )
    try:
        incident, created = services.open_from_alert(alert, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("alert_list", org=request.org.slug)
    return _opened(request, incident, created)
