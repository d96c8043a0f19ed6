"""Pages of concerns (A.3.3): raise, list, triage, the public link's settings and the public
form itself (no account; see :func:`public_concern`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.core.pages import csv_download, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import services
from .forms import ConcernFilterForm, ConcernForm, PublicConcernForm, TriageForm
from .models import Concern, ConcernIntake


def get_concern(request, concern_id: int) -> Concern:
    concern = get_object_or_404(
        Concern.objects.for_org(request.org).select_related(
            "system", "raised_by", "triaged_by", "incident", "risk"
        ),
        pk=concern_id,
    )
    concern.organization = request.org
    return concern


def filtered_concerns(request):
    form = ConcernFilterForm(request.GET, organization=request.org)
    concerns = (
        Concern.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("system", "raised_by")
        .order_by("-created_at", "-pk")
    )
    return concerns, form


@org_view()
def concern_list(request):
    concerns, filters = filtered_concerns(request)
    page = paginate(request, concerns)
    intake = ConcernIntake.objects.filter(organization=request.org).first()
    context = {
        "page_obj": page,
        "concerns": with_organization(list(page.object_list), request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("concern_list", kwargs={"org": request.org.slug}),
        "new_count": Concern.objects.for_org(request.org).new().count(),
        "intake": intake,
        "public_url": request.build_absolute_uri(intake.public_url()) if intake else "",
        "tab": "concerns",
    }
    return render(request, "incidents/concern_list.html", context)


@org_view()
def concern_export_csv(request):
    concerns, _ = filtered_concerns(request)
    concerns = concerns.select_related("incident", "risk", "triaged_by")
    response, writer = csv_download("ai-concerns", request.org)
    writer.writerow(
        [
            "Number",
            "Raised at",
            "AI system",
            "Concern",
            "Raised by",
            "Channel",
            "Status",
            "Incident",
            "Risk",
            "Triage reason",
        ]
    )
    for concern in concerns:
        writer.writerow(
            [
                concern.pk,
                concern.created_at.strftime("%Y-%m-%d %H:%M"),
                concern.system.name if concern.system else "",
                concern.text,
                concern.reporter_label(),
                concern.get_channel_display(),
                concern.get_status_display(),
                concern.incident.ref if concern.incident else "",
                concern.risk.ref if concern.risk else "",
                concern.triage_reason,
            ]
        )
    return response


@org_view(Access.READ)
@require_http_methods(["GET", "POST"])
def concern_create(request):
    """Any member, a viewer included, may raise a concern (A.3.3)."""
    form = ConcernForm(request.POST or None, organization=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern(
                request.org,
                actor=request.user,
                text=form.cleaned_data["text"],
                system=form.cleaned_data["system"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your concern was recorded.")
            concern.organization = request.org
            return redirect(concern.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "incidents/concern_form.html", {"form": form}, status=status)


def concern_page(request, concern: Concern, *, form=None, status=200):
    initial = {"title": concern.summary(100), "outcome": "incident"}
    return render(
        request,
        "incidents/concern_detail.html",
        {
            "concern": concern,
            "form": form or TriageForm(initial=initial, matrix=request.org.risk_matrix),
        },
        status=status,
    )


@org_view()
def concern_detail(request, concern_id: int):
    return concern_page(request, get_concern(request, concern_id))


@org_view(Access.MANAGE)
@require_POST
def concern_triage(request, concern_id: int):
    concern = get_concern(request, concern_id)
    form = TriageForm(request.POST, matrix=request.org.risk_matrix)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "incident":
                incident = services.triage_into_incident(
                    concern,
                    actor=request.user,
                    title=data["title"],
                    severity=data["severity"] or "medium",
                    reason=data["reason"],
                )
                incident.organization = request.org
                messages.success(request, f"Incident {incident.ref} opened from the concern.")
                return redirect(incident.get_absolute_url())
            if data["outcome"] == "risk":
                risk = services.triage_into_risk(
                    concern,
                    actor=request.user,
                    title=data["title"],
                    category=data["category"],
                    likelihood=data["likelihood"],
                    impact=data["impact"],
                    reason=data["reason"],
                )
                messages.success(request, f"Risk {risk.ref} recorded from the concern.")
                return redirect(concern.get_absolute_url())
            services.close_concern(concern, actor=request.user, reason=data["reason"])
            messages.success(request, "Concern closed.")
            return redirect(concern.get_absolute_url())
        except ValidationError as error:
            if getattr(error, "status", None) == 409:
                messages.error(request, " ".join(error.messages))
                return redirect(concern.get_absolute_url())
            if hasattr(error, "error_dict"):  # the risk register names its own fields
                renamed = {"inherent_likelihood": "likelihood", "inherent_impact": "impact"}
                error = ValidationError({renamed.get(k, k): v for k, v in error.error_dict.items()})
            add_service_errors(form, error)
    return concern_page(request, concern, form=form, status=422)


@org_view(Access.MANAGE)
@require_POST
def concern_intake(request):
    """Turn the public link on or off, or give it a new address."""
    action = request.POST.get("action", "")
    if action == "regenerate":
        services.regenerate_token(request.org, actor=request.user)
        messages.success(request, "New public link made: the previous one no longer works.")
    elif action in ("on", "off"):
        services.set_intake(request.org, actor=request.user, enabled=action == "on")
        messages.success(
            request, f"Public link for concerns turned {'on' if action == 'on' else 'off'}."
        )
    else:
        messages.error(request, "Choose to turn the link on, off, or make a new one.")
    return redirect(reverse("concern_list", kwargs={"org": request.org.slug}) + "#intake")


# --- The public page (no account) -------------------------------------------------------------


def client_address(request) -> str:
    """The client's address as the server sees it (behind a proxy, the proxy sets it)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_concern(request, token: str):
    """The public form for concerns: 404 unless the link is on and the token is right."""
    intake = (
        ConcernIntake.objects.select_related("organization")
        .filter(token=token[:64], enabled=True)
        .first()
    )
    if intake is None:
        raise Http404("No such page.")
    organization = intake.organization
    form = PublicConcernForm(request.POST or None, organization=organization)
    context = {"org_name": organization.name, "form": form, "sent": False}
    if request.method == "GET":
        return render(request, "incidents/public_concern.html", context)
    if not form.is_valid():
        return render(request, "incidents/public_concern.html", context, status=422)
    data = form.cleaned_data
    if data["website"]:
        # A robot filled the hidden field: thank it, store nothing.
        return render(request, "incidents/public_concern.html", {**context, "sent": True})
    try:
        with transaction.atomic():
            services.public_report(
                intake,
                address=client_address(request),
                text=data["text"],
                system=data["system"],
                anonymous=data["anonymous"],
                reporter_name=data["name"],
                reporter_contact=data["contact"],
            )
    except services.TooManyReports as refused:
        context["refused"] = " ".join(refused.messages)
        return render(request, "incidents/public_concern.html", context, status=429)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "incidents/public_concern.html", context, status=422)
    return render(request, "incidents/public_concern.html", {**context, "sent": True})
