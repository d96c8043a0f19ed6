"""Pages of suppliers and customers (A.10) and their assessments."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent, record_type_of

from . import services
from .forms import AssessmentForm, ThirdPartyFilterForm, ThirdPartyForm
from .models import ASSESSMENT_NOTICE_DAYS, Kind, Outcome, SupplierAssessment, ThirdParty


def events_of(third_party: ThirdParty, assessments):
    """The trail of a third party and of its assessments, newest first."""
    return AuditEvent.objects.filter(
        Q(record_type=record_type_of(third_party), record_id=str(third_party.pk))
        | Q(
            record_type=record_type_of(SupplierAssessment()),
            record_id__in=[str(a.pk) for a in assessments],
        ),
        organization=third_party.organization,
    ).order_by("-sequence")


def get_third_party(request, third_party_id: int) -> ThirdParty:
    third_party = get_object_or_404(
        ThirdParty.objects.for_org(request.org).select_related("owner"), pk=third_party_id
    )
    third_party.organization = request.org
    return third_party


def filtered_third_parties(request):
    form = ThirdPartyFilterForm(request.GET, organization=request.org)
    found = (
        ThirdParty.objects.for_org(request.org)
        .with_assessment()
        .filtered(**form.filters())
        .select_related("owner")
        .annotate(system_count=Count("systems", distinct=True))
        .order_by("name", "pk")
    )
    return found, form


def mark_due(third_parties, today) -> None:
    """Say of each (annotated) third party whether its assessment is overdue or due soon."""
    soon = today + dt.timedelta(days=ASSESSMENT_NOTICE_DAYS)
    for third_party in third_parties:
        active = third_party.status == "active"
        next_due = third_party.next_due
        third_party.overdue = active and next_due is not None and next_due < today
        third_party.due_soon = active and next_due is not None and today <= next_due <= soon
        third_party.never_assessed = (
            active and third_party.last_assessed is None and third_party.kind != Kind.CUSTOMER
        )
        third_party.last_outcome_label = (
            Outcome(third_party.last_outcome).label if third_party.last_outcome else ""
        )


@org_view()
def third_party_list(request):
    found, filters = filtered_third_parties(request)
    page = paginate(request, found)
    rows = with_organization(page.object_list, request.org)
    today = timezone.localdate()
    mark_due(rows, today)
    overdue = (
        ThirdParty.objects.for_org(request.org)
        .with_assessment()
        .active()
        .filter(next_due__lt=today)
        .count()
    )
    context = {
        "page_obj": page,
        "third_parties": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("third_party_list", kwargs={"org": request.org.slug}),
        "overdue_count": overdue,
        "total": ThirdParty.objects.for_org(request.org).count(),
    }
    return render(request, "suppliers/third_party_list.html", context)


@org_view()
def third_party_export_csv(request):
    found, _ = filtered_third_parties(request)
    found = found.prefetch_related("systems", "datasets", "clauses", "controls")
    response, writer = csv_download("suppliers-and-customers", request.org)
    writer.writerow(
        [
            "Number",
            "Name",
            "Kind",
            "Status",
            "Contact",
            "Description",
            "AI systems",
            "Data sets",
            "Their responsibilities",
            "Our responsibilities",
            "What was told or contracted",
            "Contract or document",
            "Agreed on",
            "Owner",
            "Last assessed",
            "Last outcome",
            "Next assessment due",
            "Clauses and controls",
        ]
    )
    for third_party in found:
        writer.writerow(
            [
                third_party.pk,
                third_party.name,
                third_party.get_kind_display(),
                third_party.get_status_display(),
                third_party.contact,
                third_party.description,
                "; ".join(s.name for s in third_party.systems.all()),
                "; ".join(d.name for d in third_party.datasets.all()),
                third_party.responsibilities,
                third_party.our_responsibilities,
                third_party.commitments,
                third_party.contract_reference,
                third_party.contract_date or "",
                person_label(third_party.owner) if third_party.owner else "",
                third_party.last_assessed or "",
                Outcome(third_party.last_outcome).label if third_party.last_outcome else "",
                third_party.next_due or "",
                "; ".join(third_party.requirement_refs()),
            ]
        )
    return response


def third_party_form_page(request, third_party: ThirdParty):
    form = ThirdPartyForm(
        request.POST if request.method == "POST" else None,
        instance=third_party,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_third_party(
            changed,
            actor=request.user,
            systems=list(form.cleaned_data["systems"]),
            datasets=list(form.cleaned_data["datasets"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="suppliers/third_party_form.html",
        saved=lambda changed: f"“{changed.name}” saved.",
        context={"third_party": third_party},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def third_party_create(request):
    return third_party_form_page(request, ThirdParty(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def third_party_edit(request, third_party_id: int):
    return third_party_form_page(request, get_third_party(request, third_party_id))


@org_view()
def third_party_detail(request, third_party_id: int):
    third_party = get_third_party(request, third_party_id)
    today = timezone.localdate()
    assessments = list(third_party.assessments.select_related("assessor"))
    latest = assessments[0] if assessments else None
    next_due = latest.next_due if latest else None
    active = third_party.status == "active"
    context = {
        "third_party": third_party,
        "systems": with_organization(third_party.systems.all(), request.org),
        "datasets": with_organization(third_party.datasets.all(), request.org),
        "assessments": assessments,
        "latest": latest,
        "next_due": next_due,
        "overdue": active and next_due is not None and next_due < today,
        "due_soon": active
        and next_due is not None
        and today <= next_due <= today + dt.timedelta(days=ASSESSMENT_NOTICE_DAYS),
        "clauses": third_party.clauses.all(),
        "controls": third_party.controls.all(),
        "today": today,
        "events": events_of(third_party, assessments)[:20],
    }
    return render(request, "suppliers/third_party_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def third_party_delete(request, third_party_id: int):
    third_party = get_third_party(request, third_party_id)
    count = third_party.assessments.count()
    if count and request.method == "GET":
        messages.error(
            request,
            f"{third_party.name} has been assessed: its assessments are kept as the history of "
            "how it was controlled. End the relationship instead.",
        )
        return redirect(third_party.get_absolute_url())
    return confirm_delete(
        request,
        third_party,
        delete=services.delete_third_party,
        what="supplier or customer",
        back=third_party.get_absolute_url(),
        done=reverse("third_party_list", kwargs={"org": request.org.slug}),
        consequence="Only for a record made by mistake: to stop working with them, end the "
        "relationship instead.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def third_party_end(request, third_party_id: int):
    third_party = get_third_party(request, third_party_id)
    try:
        services.end_relationship(third_party, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The relationship with {third_party.name} is recorded as ended.")
    return redirect(third_party.get_absolute_url())


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def assessment_create(request, third_party_id: int):
    third_party = get_third_party(request, third_party_id)
    assessment = SupplierAssessment(third_party=third_party)
    today = timezone.localdate()
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment,
        organization=request.org,
        initial={
            "assessed_on": today,
            "assessor": request.user,
            "next_due": today.replace(year=today.year + 1)
            if not (today.month == 2 and today.day == 29)
            else today + dt.timedelta(days=365),
        },
    )

    def save(form):
        return services.record_assessment(form.save(commit=False), actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="suppliers/assessment_form.html",
        saved=lambda _: f"Assessment of {third_party.name} recorded.",
        context={"third_party": third_party},
    )
