"""Pages of the management review (9.3): the list, a review with its compiled inputs and its
outputs, holding it, approving its minutes, its report, and the actions of every review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import act, confirm_delete, csv_download, form_page, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.core.reports import report
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent, record_type_of

from . import inputs, services
from .forms import (
    ActionFilterForm,
    ActionForm,
    AddImprovementForm,
    DecisionForm,
    HoldForm,
    RaiseNonconformityForm,
    ReviewFilterForm,
    ReviewForm,
)
from .models import ManagementReview, ReviewAction, ReviewDecision, ReviewStatus


def get_review(request, review_id: int) -> ManagementReview:
    review = get_object_or_404(
        ManagementReview.objects.for_org(request.org).select_related("chair", "approved_by"),
        pk=review_id,
    )
    review.organization = request.org
    return review


# --- The list -----------------------------------------------------------------------------------


def filtered_reviews(request):
    form = ReviewFilterForm(request.GET, organization=request.org)
    reviews = ManagementReview.objects.for_org(request.org).filtered(**form.filters()).for_list()
    return reviews, form


@org_view()
def review_list(request):
    reviews, filters = filtered_reviews(request)
    page = paginate(request, reviews)
    listed = list(page.object_list)
    for review in listed:
        review.organization = request.org
    today = timezone.localdate()
    last = ManagementReview.objects.for_org(request.org).held().order_by("-held_on").first()
    context = {
        "page_obj": page,
        "reviews": listed,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("review_list", kwargs={"org": request.org.slug}),
        "last_held": last,
        "review_due": services.next_review_due(last),
        "today": today,
        "tab": "reviews",
    }
    return render(request, "reviews/review_list.html", context)


@org_view()
def review_export_csv(request):
    reviews, _ = filtered_reviews(request)
    response, writer = csv_download("management-reviews", request.org)
    writer.writerow(
        [
            "Number",
            "Title",
            "Planned date",
            "Held on",
            "Status",
            "Chair",
            "Attendees",
            "Top management attended",
            "Other attendees",
            "Decisions",
            "Actions",
            "Open actions",
            "Minutes approved by",
            "Minutes approved at",
        ]
    )
    for review in reviews:
        attendees = list(review.attendees.all())
        writer.writerow(
            [
                review.pk,
                review.title,
                review.planned_on,
                review.held_on or "",
                review.get_status_display(),
                person_label(review.chair) if review.chair else "",
                "; ".join(person_label(u) for u in attendees),
                "yes" if review.top_attended else "no",
                review.guests,
                review.decision_count,
                review.action_count,
                review.open_action_count,
                person_label(review.approved_by) if review.approved_by else "",
                timezone.localtime(review.approved_at).strftime("%Y-%m-%d %H:%M")
                if review.approved_at
                else "",
            ]
        )
    return response


# --- A review -----------------------------------------------------------------------------------


def review_form_page(request, review: ManagementReview):
    form = ReviewForm(
        request.POST if request.method == "POST" else None,
        instance=review,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        changed.organization = request.org
        return services.save_review(
            changed,
            actor=request.user,
            attendees=list(form.cleaned_data["attendees"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="reviews/review_form.html",
        saved=lambda changed: f"Management review “{changed.title}” saved.",
        context={"review": review, "tab": "reviews"},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def review_create(request):
    return review_form_page(
        request, ManagementReview(organization=request.org, planned_on=timezone.localdate())
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def review_edit(request, review_id: int):
    review = get_review(request, review_id)
    if review.is_approved:
        messages.error(request, services.APPROVED_NO_CHANGE)
        return redirect(review.get_absolute_url())
    return review_form_page(request, review)


def review_events(review: ManagementReview, decisions, actions):
    """The trail of the review and of its decisions and actions, newest first."""
    wanted = Q(record_type=record_type_of(review), record_id=str(review.pk))
    if decisions:
        wanted |= Q(
            record_type=ReviewDecision._meta.label_lower,
            record_id__in=[str(d.pk) for d in decisions],
        )
    if actions:
        wanted |= Q(
            record_type=ReviewAction._meta.label_lower, record_id__in=[str(a.pk) for a in actions]
        )
    return AuditEvent.objects.filter(wanted, organization=review.organization).order_by(
        "-sequence"
    )[:30]


def review_inputs(request, review: ManagementReview) -> dict:
    """The review's inputs: frozen once it was held, compiled live before."""
    if review.is_held and review.inputs is not None:
        frozen = inputs.frozen_sections(review)
        return {
            "sections": [s for s in frozen if not s.key.startswith(inputs.CONTRIBUTED)],
            "frozen_contributed": [s for s in frozen if s.key.startswith(inputs.CONTRIBUTED)],
            "contributed": [],
            "frozen": True,
            "since": review.inputs_since,
            "compiled_at": review.inputs_compiled_at,
        }
    period = inputs.period_of(review)
    sections = inputs.compile_inputs(review, period)
    contributed = inputs.contributed(review, request)
    if not contributed:
        sections.append(inputs.READINESS_MISSING)
    return {
        "sections": sections,
        "contributed": contributed,
        "frozen": False,
        "since": period.since,
        "previous": period.previous,
        "compiled_at": timezone.now(),
    }


def outputs_of(request, review: ManagementReview):
    decisions = list(review.decisions.select_related("nonconformity", "improvement"))
    actions = list(review.actions.select_related("owner"))
    for record in [*decisions, *actions]:
        record.organization = request.org
        record.review = review
    for decision in decisions:
        for linked in (decision.nonconformity, decision.improvement):
            if linked is not None:
                linked.organization = request.org
    return decisions, actions


def people_of(request, review: ManagementReview) -> dict:
    attendees = list(review.attendees.order_by("first_name", "last_name", "username"))
    top = services.top_management_ids(request.org)
    return {
        "attendees": attendees,
        "top_attendees": [u for u in attendees if u.pk in top],
        "top_management_exists": bool(top),
    }


def review_page(request, review: ManagementReview, *, status=200, **forms):
    decisions, actions = outputs_of(request, review)
    today = timezone.localdate()
    context = {
        "review": review,
        **people_of(request, review),
        **review_inputs(request, review),
        "decisions": decisions,
        "actions": actions,
        "today": today,
        "events": review_events(review, decisions, actions),
        "decision_form": forms.get("decision_form")
        or DecisionForm(prefix="decision", initial={"kind": "improvement"}),
        "action_form": forms.get("action_form")
        or ActionForm(
            organization=request.org,
            new=True,
            prefix="action",
            instance=ReviewAction(review=review, organization=request.org),
        ),
        "is_chair": request.user.pk == review.chair_id,
        "may_decide": request.membership.can(Access.DECIDE),
        "deletion_refusal": services.deletion_refusal(review),
        "tab": "reviews",
    }
    return render(request, "reviews/review_detail.html", context, status=status)


@org_view()
def review_detail(request, review_id: int):
    return review_page(request, get_review(request, review_id))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def review_delete(request, review_id: int):
    review = get_review(request, review_id)
    return confirm_delete(
        request,
        review,
        delete=services.delete_review,
        what="management review",
        back=review.get_absolute_url(),
        done=reverse("review_list", kwargs={"org": request.org.slug}),
        consequence="Only a planned review is deleted; one that was held is kept.",
        context={"tab": "reviews"},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def review_hold(request, review_id: int):
    """Mark the review held: the day, the chair, who attended. Its inputs are frozen then."""
    review = get_review(request, review_id)
    if review.status != ReviewStatus.PLANNED:
        messages.error(request, f"This review is already {review.get_status_display().lower()}.")
        return redirect(review.get_absolute_url())
    if request.method == "POST":
        form = HoldForm(request.POST, organization=request.org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.hold_review(
                    review,
                    actor=request.user,
                    held_on=data["held_on"],
                    chair=data["chair"],
                    attendees=list(data["attendees"]),
                    guests=data["guests"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    "Review held: its inputs are frozen as they are now. Record its decisions "
                    "and actions, then the chair approves the minutes.",
                )
                return redirect(review.get_absolute_url())
        status = 422
    else:
        form = HoldForm(
            organization=request.org,
            initial={
                "held_on": timezone.localdate(),
                "chair": review.chair,
                "attendees": list(review.attendees.all()),
                "guests": review.guests,
            },
        )
        status = 200
    context = {"form": form, "review": review, "tab": "reviews"}
    return render(request, "reviews/review_hold.html", context, status=status)


@org_view(Access.DECIDE)
@require_POST
def review_approve(request, review_id: int):
    review = get_review(request, review_id)
    return act(
        request,
        lambda: services.approve_review(review, actor=request.user),
        "Minutes approved: the review is now a record of the AIMS and does not change.",
        back=review.get_absolute_url(),
    )


# --- Decisions ----------------------------------------------------------------------------------


def get_decision(request, review_decision_id: int) -> ReviewDecision:
    decision = get_object_or_404(
        ReviewDecision.objects.filter(organization=request.org).select_related("review"),
        pk=review_decision_id,
    )
    decision.organization = decision.review.organization = request.org
    return decision


def decision_form_page(request, decision: ReviewDecision):
    new = decision.pk is None
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        instance=decision,
        prefix="decision" if new else None,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_decision(changed, actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect(changed.get_absolute_url())
    if new and request.method == "POST":
        return review_page(request, decision.review, status=422, decision_form=form)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "decision": decision, "review": decision.review, "tab": "reviews"}
    return render(request, "reviews/decision_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_create(request, review_id: int):
    review = get_review(request, review_id)
    return decision_form_page(request, ReviewDecision(organization=request.org, review=review))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_edit(request, review_decision_id: int):
    decision = get_decision(request, review_decision_id)
    if decision.review.is_approved:
        messages.error(request, services.APPROVED_NO_CHANGE)
        return redirect(decision.get_absolute_url())
    return decision_form_page(request, decision)


def follow_up_page(request, decision, form_class, *, call, success, what: str, help: str):
    """A decision's follow-up: raise a nonconformity, or add it to the improvement register."""
    form = form_class(request.POST or None, organization=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            linked = call(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(linked.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "decision": decision,
        "review": decision.review,
        "what": what,
        "help": help,
        "tab": "reviews",
    }
    return render(request, "reviews/decision_follow_up.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_nonconformity(request, review_decision_id: int):
    decision = get_decision(request, review_decision_id)
    return follow_up_page(
        request,
        decision,
        RaiseNonconformityForm,
        call=lambda **data: services.raise_nonconformity_from(decision, actor=request.user, **data),
        success="Nonconformity raised from the review's decision: plan its handling here.",
        what="Raise a nonconformity",
        help="The decision finds a requirement not met: it becomes a nonconformity of the "
        "register (source: management review), linked to this review.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def decision_improvement(request, review_decision_id: int):
    decision = get_decision(request, review_decision_id)
    return follow_up_page(
        request,
        decision,
        AddImprovementForm,
        call=lambda **data: services.add_improvement_from(decision, actor=request.user, **data),
        success="Added to the improvement register from the review's decision.",
        what="Add to the improvement register",
        help="The decision takes up an opportunity for improvement: it goes to the improvement "
        "register (source: management review), linked to this review.",
    )


# --- Actions ------------------------------------------------------------------------------------


def get_action(request, review_action_id: int) -> ReviewAction:
    action = get_object_or_404(
        ReviewAction.objects.filter(organization=request.org).select_related("review"),
        pk=review_action_id,
    )
    action.organization = action.review.organization = request.org
    return action


def action_form_page(request, action: ReviewAction):
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
            return redirect(changed.get_absolute_url())
    if new and request.method == "POST":
        return review_page(request, action.review, status=422, action_form=form)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "action": action, "review": action.review, "tab": "reviews"}
    return render(request, "reviews/action_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_create(request, review_id: int):
    review = get_review(request, review_id)
    return action_form_page(request, ReviewAction(organization=request.org, review=review))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def action_edit(request, review_action_id: int):
    return action_form_page(request, get_action(request, review_action_id))


def filtered_actions(request):
    form = ActionFilterForm(request.GET, organization=request.org)
    actions = (
        ReviewAction.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner", "review")
        .order_by("status", "due_date", "pk")
    )
    return actions, form


@org_view()
def action_list(request):
    actions, filters = filtered_actions(request)
    page = paginate(request, actions)
    listed = list(page.object_list)
    for action in listed:
        action.organization = action.review.organization = request.org
    everything = ReviewAction.objects.for_org(request.org)
    today = timezone.localdate()
    context = {
        "page_obj": page,
        "actions": listed,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("review_action_list", kwargs={"org": request.org.slug}),
        "open_count": everything.open().count(),
        "overdue_count": everything.overdue(today).count(),
        "today": today,
        "tab": "actions",
    }
    return render(request, "reviews/action_list.html", context)


@org_view()
def action_export_csv(request):
    actions, _ = filtered_actions(request)
    response, writer = csv_download("management-review-actions", request.org)
    writer.writerow(
        ["Number", "Action", "Review", "Owner", "Due date", "Status", "Done on", "Outcome"]
    )
    for action in actions:
        writer.writerow(
            [
                action.pk,
                action.title,
                str(action.review),
                person_label(action.owner) if action.owner else "",
                action.due_date or "",
                action.get_status_display(),
                action.done_on or "",
                action.outcome,
            ]
        )
    return response


# --- The report ---------------------------------------------------------------------------------


def _report(request, review_id: int, *, as_pdf: bool):
    review = get_review(request, review_id)
    decisions, actions = outputs_of(request, review)
    found = review_inputs(request, review)
    context = {
        "title": f"Management review: {review.title}",
        "review": review,
        **people_of(request, review),
        **found,
        "all_sections": found["sections"] + found.get("frozen_contributed", []),
        "decisions": decisions,
        "actions": actions,
        "today": timezone.localdate(),
    }
    return report(
        request, "reviews/review_report.html", context, name="management-review", as_pdf=as_pdf
    )


@org_view()
def review_report(request, review_id: int):
    return _report(request, review_id, as_pdf=False)


@org_view()
def review_report_pdf(request, review_id: int):
    return _report(request, review_id, as_pdf=True)
