"""Pages of the readiness roadmap (actions that close gaps) and of the certification-readiness
checklist."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import act, confirm_delete, csv_download, form_page, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .checklist import checklist as compute_checklist
from .forms import ActionFilterForm, RoadmapActionForm, TickForm
from .models import (
    TARGET_LEVEL,
    ActionStatus,
    Assessment,
    AssessmentItem,
    ChecklistKey,
    Decision,
    RoadmapAction,
)


def get_action(request, action_id: int) -> RoadmapAction:
    action = get_object_or_404(
        RoadmapAction.objects.for_org(request.org).select_related(
            "owner", "assessment", "item__clause", "item__control"
        ),
        pk=action_id,
    )
    action.organization = request.org
    if action.assessment is not None:
        action.assessment.organization = request.org
        if action.item is not None:
            action.item.assessment = action.assessment
    return action


def gaps_of(organization, *, keep=None):
    """The gaps an action may name: the items below level 3 of the latest two assessments
    (and the one the action names already)."""
    latest = list(
        Assessment.objects.for_org(organization)
        .order_by("-assessed_on", "-pk")
        .values_list("pk", flat=True)[:2]
    )
    found = AssessmentItem.objects.filter(assessment_id__in=latest, level__lt=TARGET_LEVEL).exclude(
        decision=Decision.PENDING
    )
    if keep is not None:
        found = found | AssessmentItem.objects.filter(pk=keep)
    return found.select_related("clause", "control", "assessment").order_by(
        "-assessment__assessed_on", "position"
    )


# --- The roadmap ------------------------------------------------------------------------------


def filtered_actions(request):
    form = ActionFilterForm(request.GET, organization=request.org)
    found = (
        RoadmapAction.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner", "assessment", "item__clause", "item__control")
        .order_by("status", "due_date", "pk")
    )
    return found, form


@org_view()
def readiness_roadmap(request):
    actions, filters = filtered_actions(request)
    page = paginate(request, actions)
    rows = list(page.object_list)
    for action in rows:
        action.organization = request.org
        if action.assessment is not None:
            action.assessment.organization = request.org
    every = RoadmapAction.objects.for_org(request.org)
    today = timezone.localdate()
    context = {
        "page_obj": page,
        "actions": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("readiness_roadmap", kwargs={"org": request.org.slug}),
        "today": today,
        "counts": {
            "open": every.open().count(),
            "done": every.filter(status=ActionStatus.DONE).count(),
            "overdue": every.overdue(today).count(),
        },
    }
    return render(request, "readiness/roadmap_list.html", context)


@org_view()
def readiness_roadmap_csv(request):
    actions, _ = filtered_actions(request)
    response, writer = csv_download("readiness-roadmap", request.org)
    writer.writerow(
        ["Number", "Action", "Details", "Gap", "Assessment", "Owner", "Due", "Status", "Done on"]
    )
    for action in actions:
        writer.writerow(
            [
                action.pk,
                action.title,
                action.description,
                str(action.item) if action.item else "",
                action.assessment.title if action.assessment else "",
                person_label(action.owner) if action.owner else "",
                action.due_date or "",
                action.get_status_display(),
                action.done_on or "",
            ]
        )
    return response


def action_form_page(request, action: RoadmapAction, *, initial=None):
    form = RoadmapActionForm(
        request.POST if request.method == "POST" else None,
        instance=action,
        organization=request.org,
        gaps=gaps_of(request.org, keep=action.item_id),
        initial=initial,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_action(changed, actor=request.user)
        changed.organization = request.org
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="readiness/action_form.html",
        saved=lambda changed: f"Roadmap action “{changed.title}” saved.",
        context={"action": action},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def readiness_action_create(request):
    """A new roadmap action; from a gap (``?item=``) it starts naming it."""
    initial = {}
    item_id = request.GET.get("item", "")
    if item_id.isascii() and item_id.isdigit() and len(item_id) <= 18:
        item = (
            AssessmentItem.objects.filter(assessment__organization=request.org, pk=int(item_id))
            .select_related("clause", "control")
            .first()
        )
        if item is not None:
            initial = {"item": item, "title": f"Raise {item.ref} {item.title} to level 3"[:200]}
    return action_form_page(request, RoadmapAction(organization=request.org), initial=initial)


@org_view()
def readiness_action_detail(request, action_id: int):
    action = get_action(request, action_id)
    return render(
        request,
        "readiness/action_detail.html",
        {
            "action": action,
            "today": timezone.localdate(),
            "events": AuditEvent.objects.for_record(action)[:20],
        },
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def readiness_action_edit(request, action_id: int):
    return action_form_page(request, get_action(request, action_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def readiness_action_done(request, action_id: int):
    action = get_action(request, action_id)
    return act(
        request,
        lambda: services.mark_done(action, actor=request.user),
        f"“{action.title}” done.",
        back=action.get_absolute_url(),
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def readiness_action_reopen(request, action_id: int):
    action = get_action(request, action_id)
    return act(
        request,
        lambda: services.reopen_action(action, actor=request.user),
        f"“{action.title}” reopened.",
        back=action.get_absolute_url(),
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def readiness_action_delete(request, action_id: int):
    action = get_action(request, action_id)
    return confirm_delete(
        request,
        action,
        delete=services.delete_action,
        what="roadmap action",
        back=action.get_absolute_url(),
        done=reverse("readiness_roadmap", kwargs={"org": request.org.slug}),
        consequence="Only an open action is deleted; a done one is kept.",
    )


# --- The checklist ----------------------------------------------------------------------------


def checklist_page(request, *, forms=None, status=200):
    found = compute_checklist(request.org, today=timezone.localdate())
    forms = forms or {}
    for item in found.items:
        item.form = forms.get(item.key.value) or TickForm(
            prefix=item.key.value,
            initial={
                "ticked": "yes" if item.tick is None or item.tick.ticked else "no",
                "note": item.tick.note if item.tick else "",
            },
        )
    return render(request, "readiness/checklist.html", {"checklist": found}, status=status)


@org_view()
def readiness_checklist(request):
    return checklist_page(request)


@org_view(Access.MANAGE)
@require_POST
def readiness_tick(request, item_key: str):
    if item_key not in ChecklistKey.values:
        return redirect("readiness_checklist", org=request.org.slug)
    back = reverse("readiness_checklist", kwargs={"org": request.org.slug}) + f"#item-{item_key}"
    label = ChecklistKey(item_key).label
    if request.POST.get("clear"):
        cleared = services.clear_tick(request.org, item_key, actor=request.user)
        messages.success(
            request,
            f"“{label}” follows the records again." if cleared else f"“{label}” had no tick.",
        )
        return redirect(back)
    form = TickForm(request.POST, prefix=item_key)
    if form.is_valid():
        try:
            services.tick(
                request.org,
                item_key,
                actor=request.user,
                ticked=form.cleaned_data["ticked"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"“{label}” "
                + ("ticked by hand." if form.cleaned_data["ticked"] else "marked not met by hand."),
            )
            return redirect(back)
    return checklist_page(request, forms={item_key: form}, status=422)
