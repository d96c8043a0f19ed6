"""Pages of nonconformities and corrective actions (10.2): the register, a nonconformity's page
with its handling, the forms, and the register report (print page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.areas import page_sections
from aims.core.forms import add_service_errors, person_label
from aims.core.pages import act, confirm_delete, csv_download, form_page, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.core.reports import report
from aims.incidents.models import Concern, Incident
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import charts, services
from .forms import (
    ActionDoneForm,
    ActionForm,
    ActionReasonForm,
    AnalysisForm,
    EffectivenessForm,
    NonconformityFilterForm,
    NonconformityForm,
)
from .models import (
    OPEN_STATUSES,
    ActionStatus,
    CorrectiveAction,
    Nonconformity,
    Severity,
    Source,
    Status,
)

ACTION_IDS, DONE_IDS, REVIEW_IDS = "action_%s", "done_%s", "review_%s"


def get_nonconformity(request, nonconformity_id: int) -> Nonconformity:
    nc = get_object_or_404(
        Nonconformity.objects.for_org(request.org).select_related(
            "owner", "raised_by", "closed_by", "system", "check_definition", "incident", "concern"
        ),
        pk=nonconformity_id,
    )
    nc.organization = request.org
    return nc


def get_action(request, nc: Nonconformity, corrective_action_id: int) -> CorrectiveAction:
    action = get_object_or_404(nc.actions.select_related("owner"), pk=corrective_action_id)
    action.nonconformity = nc
    return action


def _with_overdue(queryset, today):
    return queryset.annotate(
        overdue_actions=Count(
            "actions",
            filter=Q(actions__status=ActionStatus.OPEN, actions__due_date__lt=today),
        ),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN)),
    )


def filtered_nonconformities(request):
    form = NonconformityFilterForm(request.GET, organization=request.org)
    found = (
        Nonconformity.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner", "system")
        .order_by("-raised_on", "-pk")
    )
    return found, form


@org_view()
def nonconformity_list(request):
    today = timezone.localdate()
    found, filters = filtered_nonconformities(request)
    page = paginate(request, _with_overdue(found, today))
    everything = Nonconformity.objects.for_org(request.org)
    counts = everything.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        majors=Count("pk", filter=Q(status__in=OPEN_STATUSES, severity=Severity.MAJOR)),
    )
    rows = list(page.object_list)
    for nc in rows:
        nc.organization = request.org
    context = {
        "page_obj": page,
        "nonconformities": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("nonconformity_list", kwargs={"org": request.org.slug}),
        "open_count": counts["open"],
        "major_count": counts["majors"],
        "overdue_count": CorrectiveAction.objects.for_org(request.org).overdue(today).count(),
    }
    return render(request, "nonconformities/nonconformity_list.html", context)


@org_view()
def nonconformity_export_csv(request):
    found, _ = filtered_nonconformities(request)
    found = found.select_related("incident", "check_definition").prefetch_related(
        "clauses", "controls", Prefetch("actions", CorrectiveAction.objects.select_related("owner"))
    )
    response, writer = csv_download("nonconformities", request.org)
    writer.writerow(
        [
            "Id",
            "Title",
            "What is not met",
            "Source",
            "Severity",
            "Status",
            "Raised on",
            "Owner",
            "AI system",
            "Incident",
            "Check",
            "Clauses and controls not met",
            "Reaction and containment",
            "Root cause",
            "Corrective actions",
            "Overdue actions",
            "Closed on",
        ]
    )
    today = timezone.localdate()
    for nc in found:
        actions = list(nc.actions.all())
        writer.writerow(
            [
                nc.ref,
                nc.title,
                nc.description,
                nc.get_source_display(),
                nc.get_severity_display(),
                nc.get_status_display(),
                nc.raised_on.isoformat(),
                person_label(nc.owner) if nc.owner else "",
                nc.system.name if nc.system else "",
                nc.incident.ref if nc.incident else "",
                nc.check_definition.name if nc.check_definition else "",
                "; ".join(nc.requirement_refs()),
                nc.containment,
                nc.root_cause,
                "; ".join(
                    f"{a.title} ({a.get_status_display().lower()}, "
                    f"{person_label(a.owner) if a.owner else 'no owner'}, due {a.due_date})"
                    for a in actions
                ),
                sum(1 for a in actions if a.is_overdue(today)),
                nc.closed_on.isoformat() if nc.closed_on else "",
            ]
        )
    return response


def _form_page(request, nc: Nonconformity, initial: dict | None = None):
    form = NonconformityForm(
        request.POST if request.method == "POST" else None,
        instance=nc,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        data = form.cleaned_data
        if nc.pk is None:
            source = (
                Source.INCIDENT
                if data.get("incident")
                else Source.CONCERN
                if data.get("concern")
                else Source.OTHER
            )
            return services.raise_nonconformity(
                request.org,
                title=data["title"],
                description=data["description"],
                source=source,
                severity=data["severity"],
                actor=request.user,
                owner=data.get("owner"),
                system=data.get("system"),
                incident=data.get("incident"),
                concern=data.get("concern"),
                clauses=list(data["clauses"]),
                controls=list(data["controls"]),
                raised_on=data.get("raised_on"),
            )
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.update_nonconformity(
            changed,
            actor=request.user,
            clauses=list(data["clauses"]),
            controls=list(data["controls"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="nonconformities/nonconformity_form.html",
        saved=lambda saved: f"Nonconformity {saved.ref} saved.",
        context={"nonconformity": nc},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def nonconformity_create(request):
    """Raise a nonconformity by hand; ``?incident=``, ``?concern=`` or ``?system=`` start it
    from that record."""
    nc = Nonconformity(organization=request.org)
    initial = {}
    if request.method == "GET":
        incident = _number(request.GET.get("incident"))
        concern = _number(request.GET.get("concern"))
        if incident:
            found = Incident.objects.for_org(request.org).filter(pk=incident).first()
            if found is not None:
                initial.update(
                    incident=found,
                    system=found.system_id,
                    title=found.title[:200],
                    description=f"Raised from incident {found.ref}.",
                )
        if concern:
            found = Concern.objects.for_org(request.org).filter(pk=concern).first()
            if found is not None:
                initial.update(concern=found, system=found.system_id)
        slug = request.GET.get("system", "")[:200]
        if slug:
            system = request.org.ai_systems.filter(slug=slug).first()
            if system is not None:
                initial["system"] = system
    return _form_page(request, nc, initial)


def _number(value) -> int | None:
    text = (value or "")[:18]
    return int(text) if text.isascii() and text.isdigit() else None


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def nonconformity_edit(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    if not nc.is_open:
        messages.error(request, f"{nc.ref} is closed: its handling is history and stays.")
        return redirect(nc.get_absolute_url())
    return _form_page(request, nc)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def nonconformity_analysis(request, nonconformity_id: int):
    """Reaction and containment, and the root cause (five whys and/or free text)."""
    nc = get_nonconformity(request, nonconformity_id)
    if not nc.is_open:
        messages.error(request, f"{nc.ref} is closed: its handling is history and stays.")
        return redirect(nc.get_absolute_url())
    form = AnalysisForm(request.POST if request.method == "POST" else None, instance=nc)

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        changed.whys = form.whys()
        return services.update_nonconformity(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="nonconformities/analysis_form.html",
        saved=lambda saved: f"Reaction and root cause of {saved.ref} saved.",
        context={"nonconformity": nc},
    )


def detail_page(request, nc, *, action_form=None, done_form=None, review_form=None, status=200):
    today = timezone.localdate()
    actions = list(nc.actions.select_related("owner", "created_by"))
    for action in actions:
        action.nonconformity = nc
    refusal = services.closure_refusal(nc)
    context = {
        "nonconformity": nc,
        "today": today,
        "actions": actions,
        "reviews": list(nc.reviews.select_related("reviewer")),
        "run_notes": list(nc.run_notes.select_related("run")),
        "clauses": list(nc.clauses.all()),
        "controls": list(nc.controls.all()),
        "whys": nc.why_steps(),
        "closure_refusal": refusal,
        "review_refusal": services.review_refusal(nc, request.user),
        "deletion_refusal": services.deletion_refusal(nc),
        "action_form": action_form
        or ActionForm(organization=request.org, auto_id=ACTION_IDS, initial={"owner": nc.owner}),
        "done_form": done_form or ActionDoneForm(auto_id=DONE_IDS),
        "reason_form": ActionReasonForm(auto_id="reason_%s"),
        "review_form": review_form
        or EffectivenessForm(auto_id=REVIEW_IDS, initial={"reviewed_on": today}),
        "events": AuditEvent.objects.for_record(nc)[:30],
        "sections": page_sections("nonconformity_page", nc, request),
        "statuses": Status,
    }
    return render(request, "nonconformities/nonconformity_detail.html", context, status=status)


@org_view()
def nonconformity_detail(request, nonconformity_id: int):
    return detail_page(request, get_nonconformity(request, nonconformity_id))


@org_view(Access.CONTRIBUTE)
@require_POST
def action_add(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    form = ActionForm(request.POST, organization=request.org, auto_id=ACTION_IDS)
    if form.is_valid():
        try:
            services.add_action(nc, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Corrective action added.")
            return redirect(nc.get_absolute_url() + "#actions")
    nc.refresh_from_db()
    return detail_page(request, nc, action_form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_edit(request, nonconformity_id: int, corrective_action_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    if not action.is_open or not nc.is_open:
        messages.error(request, "Only an open action of an open nonconformity is edited.")
        return redirect(nc.get_absolute_url() + "#actions")
    form = ActionForm(
        request.POST if request.method == "POST" else None,
        instance=action,
        organization=request.org,
    )

    def save(form):
        data = form.cleaned_data
        return services.update_action(
            action,
            actor=request.user,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            due_date=data["due_date"],
        )

    return form_page(
        request,
        form,
        save=save,
        template="nonconformities/action_form.html",
        saved=lambda saved: "Corrective action saved.",
        context={"nonconformity": nc, "action": action},
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def action_done(request, nonconformity_id: int, corrective_action_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    form = ActionDoneForm(request.POST, auto_id=DONE_IDS)
    if form.is_valid():
        try:
            services.complete_action(
                action,
                actor=request.user,
                note=form.cleaned_data["note"],
                done_on=form.cleaned_data["done_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action “{action.title}” marked done.")
            return redirect(nc.get_absolute_url() + "#actions")
    messages.error(request, "The action was not marked done: " + " ".join(_errors(form)))
    return redirect(nc.get_absolute_url() + "#actions")


def _errors(form) -> list[str]:
    return [str(message) for messages_ in form.errors.values() for message in messages_]


@org_view(Access.CONTRIBUTE)
@require_POST
def action_cancel(request, nonconformity_id: int, corrective_action_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    form = ActionReasonForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    return act(
        request,
        lambda: services.cancel_action(action, actor=request.user, reason=reason),
        f"Action “{action.title}” cancelled.",
        back=nc.get_absolute_url() + "#actions",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def action_reopen(request, nonconformity_id: int, corrective_action_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    action = get_action(request, nc, corrective_action_id)
    form = ActionReasonForm(request.POST)
    reason = form.cleaned_data["note"] if form.is_valid() else ""
    return act(
        request,
        lambda: services.reopen_action(action, actor=request.user, reason=reason),
        f"Action “{action.title}” reopened.",
        back=nc.get_absolute_url() + "#actions",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def effectiveness_review(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    form = EffectivenessForm(request.POST, auto_id=REVIEW_IDS)
    if form.is_valid():
        try:
            review = services.review_effectiveness(
                nc,
                actor=request.user,
                verdict=form.cleaned_data["verdict"],
                evidence=form.cleaned_data["evidence"],
                reviewed_on=form.cleaned_data["reviewed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if review.effective:
                messages.success(request, f"Effectiveness confirmed: {nc.ref} can be closed.")
            else:
                messages.warning(
                    request,
                    f"Not effective: {nc.ref} is open again and needs new corrective actions.",
                )
            return redirect(nc.get_absolute_url() + "#effectiveness")
    nc.refresh_from_db()
    return detail_page(request, nc, review_form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_POST
def nonconformity_close(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    return act(
        request,
        lambda: services.close_nonconformity(nc, actor=request.user),
        f"{nc.ref} closed.",
        back=nc.get_absolute_url(),
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def nonconformity_delete(request, nonconformity_id: int):
    nc = get_nonconformity(request, nonconformity_id)
    return confirm_delete(
        request,
        nc,
        delete=services.delete_nonconformity,
        what="nonconformity",
        back=nc.get_absolute_url(),
        done=reverse("nonconformity_list", kwargs={"org": request.org.slug}),
        consequence="Only an open nonconformity raised by mistake, with no corrective action, "
        "is deleted.",
    )


# --- The register report -------------------------------------------------------------------------


def _register_context(request) -> dict:
    today = timezone.localdate()
    found = (
        _with_overdue(Nonconformity.objects.for_org(request.org), today)
        .select_related("owner", "system")
        .prefetch_related("clauses", "controls")
        .order_by("status", "-raised_on", "-pk")
    )
    rows = list(found)
    open_rows = [nc for nc in rows if nc.is_open]
    closed_rows = [nc for nc in rows if not nc.is_open]
    by_source = {value: 0 for value in Source.values}
    for nc in rows:
        by_source[nc.source] = by_source.get(nc.source, 0) + 1
    return {
        "title": "Nonconformity register",
        "today": today,
        "open_rows": open_rows,
        "closed_rows": closed_rows,
        "total": len(rows),
        "majors": sum(1 for nc in open_rows if nc.is_major),
        "overdue": CorrectiveAction.objects.for_org(request.org).overdue(today).count(),
        "awaiting_review": sum(1 for nc in open_rows if nc.status == Status.REVIEW),
        "source_chart": charts.bars(
            [(Source(value).label, count) for value, count in by_source.items()],
            title="Nonconformities by source",
        ),
    }


@org_view()
def nonconformity_report(request):
    return report(
        request,
        "nonconformities/report.html",
        _register_context(request),
        name="nonconformity-register",
    )


@org_view()
def nonconformity_report_pdf(request):
    return report(
        request,
        "nonconformities/report.html",
        _register_context(request),
        name="nonconformity-register",
        as_pdf=True,
    )
