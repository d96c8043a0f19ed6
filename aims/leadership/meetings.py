"""Pages of the governance committee: meetings, their decisions and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent, record_type_of

from . import services
from .forms import ActionForm, DecisionForm, MeetingFilterForm, MeetingForm
from .models import CommitteeAction, Decision, Meeting
from .views import TABS


def get_meeting(request, meeting_id: int) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.for_org(request.org), pk=meeting_id)
    meeting.organization = request.org
    return meeting


def filtered_meetings(request):
    form = MeetingFilterForm(request.GET, organization=request.org)
    meetings = Meeting.objects.for_org(request.org).filtered(**form.filters()).for_list()
    return meetings, form


@org_view()
def meeting_list(request):
    meetings, filters = filtered_meetings(request)
    page = paginate(request, meetings)
    for meeting in page.object_list:
        meeting.organization = request.org
    context = {
        "page_obj": page,
        "meetings": page.object_list,
        "filters": filters,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "tab": "meetings",
    }
    return render(request, "leadership/meeting_list.html", context)


@org_view()
def meeting_export_csv(request):
    meetings, _ = filtered_meetings(request)
    response, writer = csv_download("committee-meetings", request.org)
    writer.writerow(
        ["Date", "Title", "Status", "Attendees", "Agenda", "Minutes", "Decisions", "Open actions"]
    )
    for meeting in meetings:
        writer.writerow(
            [
                meeting.date,
                meeting.title,
                meeting.get_status_display(),
                "; ".join(person_label(u) for u in meeting.attendees.all()),
                meeting.agenda,
                meeting.minutes,
                meeting.decision_count,
                meeting.open_action_count,
            ]
        )
    return response


def meeting_form_page(request, meeting: Meeting):
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        instance=meeting,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_meeting(changed, actor=request.user, attendees=form.cleaned_data["attendees"])
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="leadership/meeting_form.html",
        saved=lambda changed: f"Meeting “{changed.title}” saved.",
        context={"meeting": meeting, "tab": "meetings"},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    return meeting_form_page(request, Meeting(organization=request.org, date=timezone.localdate()))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_id: int):
    return meeting_form_page(request, get_meeting(request, meeting_id))


def meeting_events(meeting: Meeting, decisions, actions):
    """The trail of the meeting and of its decisions and actions, newest first."""
    wanted = Q(record_type=record_type_of(meeting), record_id=str(meeting.pk))
    if decisions:
        wanted |= Q(
            record_type=Decision._meta.label_lower, record_id__in=[str(d.pk) for d in decisions]
        )
    if actions:
        wanted |= Q(
            record_type=CommitteeAction._meta.label_lower,
            record_id__in=[str(a.pk) for a in actions],
        )
    return AuditEvent.objects.filter(wanted, organization=meeting.organization).order_by(
        "-sequence"
    )[:30]


@org_view()
def meeting_detail(request, meeting_id: int):
    meeting = get_meeting(request, meeting_id)
    decisions = list(meeting.decisions.select_related("system", "risk"))
    actions = list(meeting.actions.select_related("owner"))
    for record in [*decisions, *actions]:
        record.organization = request.org
    for decision in decisions:
        for linked in (decision.system, decision.risk):
            if linked is not None:
                linked.organization = request.org
    context = {
        "meeting": meeting,
        "attendees": meeting.attendees.order_by("first_name", "last_name", "username"),
        "decisions": decisions,
        "actions": actions,
        "events": meeting_events(meeting, decisions, actions),
        "decision_form": DecisionForm(organization=request.org, prefix="decision"),
        "action_form": ActionForm(organization=request.org, new=True, prefix="action"),
        "today": timezone.localdate(),
        "tab": "meetings",
    }
    return render(request, "leadership/meeting_detail.html", context)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def meeting_delete(request, meeting_id: int):
    meeting = get_meeting(request, meeting_id)
    return confirm_delete(
        request,
        meeting,
        delete=services.delete_meeting,
        what="meeting",
        back=meeting.get_absolute_url(),
        done=reverse("leadership_meeting_list", kwargs={"org": request.org.slug}),
        consequence="Only a meeting without decisions or actions can be deleted.",
        context=TABS | {"tab": "meetings"},
    )


def decision_form_page(request, decision: Decision):
    prefix = None if decision.pk else "decision"
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        instance=decision,
        organization=request.org,
        prefix=prefix,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_decision(changed, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect(decision.meeting.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "decision": decision, "meeting": decision.meeting, "tab": "meetings"}
    return render(request, "leadership/decision_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_create(request, meeting_id: int):
    meeting = get_meeting(request, meeting_id)
    return decision_form_page(request, Decision(organization=request.org, meeting=meeting))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_edit(request, meeting_decision_id: int):
    decision = get_object_or_404(
        Decision.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_decision_id,
    )
    decision.organization = decision.meeting.organization = request.org
    return decision_form_page(request, decision)


def action_form_page(request, action: CommitteeAction):
    new = action.pk is None
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        instance=action,
        organization=request.org,
        new=new,
        prefix="action" if new else None,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_action(changed, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action “{changed.title}” saved.")
            return redirect(action.meeting.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "action": action, "meeting": action.meeting, "tab": "meetings"}
    return render(request, "leadership/action_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_create(request, meeting_id: int):
    meeting = get_meeting(request, meeting_id)
    return action_form_page(request, CommitteeAction(organization=request.org, meeting=meeting))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_edit(request, meeting_action_id: int):
    action = get_object_or_404(
        CommitteeAction.objects.filter(organization=request.org).select_related("meeting"),
        pk=meeting_action_id,
    )
    action.organization = action.meeting.organization = request.org
    return action_form_page(request, action)
