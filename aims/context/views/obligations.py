"""The obligations register (control A.8.5, clause 4.2): laws, regulations, contracts and
voluntary commitments, and adding EU AI Act articles in one step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors
from aims.core.pages import confirm_delete, form_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from ..forms import CatalogueForm, ObligationFilterForm, ObligationForm
from ..models import Obligation
from .common import csv_export, events_of, list_page, names, person, requirement_refs, tabs


def get_obligation(request, obligation_id: int) -> Obligation:
    obligation = get_object_or_404(
        Obligation.objects.for_org(request.org).select_related("owner"), pk=obligation_id
    )
    obligation.organization = request.org
    return obligation


def filtered_obligations(request):
    form = ObligationFilterForm(request.GET, organization=request.org)
    obligations = Obligation.objects.for_org(request.org).for_list().filtered(**form.applied())
    return obligations, form


@org_view()
def obligation_list(request):
    obligations, form = filtered_obligations(request)
    return list_page(
        request,
        records=obligations,
        filters=form,
        tab="obligations",
        template="context/obligation_list.html",
    )


@org_view()
def obligation_export_csv(request):
    obligations, _ = filtered_obligations(request)
    obligations = obligations.prefetch_related("clauses", "controls")
    header = [
        "Reference", "Title", "Kind", "Description", "AI systems", "Owner",
        "How compliance is shown", "Compliance status", "Review date", "Addresses",
        "Recorded", "Updated",
    ]  # fmt: skip
    rows = (
        [
            o.reference,
            o.title,
            o.get_kind_display(),
            o.description,
            names(s.name for s in o.systems.all()),
            person(o.owner),
            o.how_shown,
            o.get_compliance_display(),
            o.review_date,
            requirement_refs(o),
            o.created_at.date(),
            o.updated_at.date(),
        ]  # fmt: skip
        for o in obligations
    )
    return csv_export(request, name="obligations", header=header, rows=rows)


def obligation_form(request, obligation: Obligation):
    form = ObligationForm(
        request.POST if request.method == "POST" else None,
        instance=obligation,
        organization=request.org,
    )

    def save(form):
        data = form.cleaned_data
        return services.save_obligation(
            form.save(commit=False),
            actor=request.user,
            systems=list(data["systems"]),
            clauses=list(data["clauses"]),
            controls=list(data["controls"]),
        )

    return form_page(
        request,
        template="context/form.html",
        form=form,
        save=save,
        context={
            "record": obligation,
            "title": f"Edit {obligation}" if obligation.pk else "New obligation",
            "crumb": ("Obligations", "obligation_list"),
            "tabs": tabs(request, "obligations"),
            "layout": [
                ("The obligation", ["kind", "title", "reference", "description", "systems"]),
                ("Compliance", ["owner", "how_shown", "compliance", "review_date"]),
                ("Requirements it addresses", ["clauses", "controls"]),
            ],
            "submit": "Save changes" if obligation.pk else "Record obligation",
        },
        saved=lambda o: f"Obligation “{o}” saved.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def obligation_create(request):
    return obligation_form(request, Obligation(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def obligation_edit(request, obligation_id: int):
    return obligation_form(request, get_obligation(request, obligation_id))


@org_view()
def obligation_detail(request, obligation_id: int):
    obligation = get_obligation(request, obligation_id)
    context = {
        "obligation": obligation,
        "systems": obligation.systems.order_by("name"),
        "clauses": obligation.clauses.all(),
        "controls": obligation.controls.all(),
        "events": events_of(obligation),
        "tabs": tabs(request, "obligations"),
        "today": timezone.localdate(),
    }
    return render(request, "context/obligation_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def obligation_delete(request, obligation_id: int):
    obligation = get_obligation(request, obligation_id)
    return confirm_delete(
        request,
        record=obligation,
        delete=services.delete_obligation,
        back=obligation.get_absolute_url(),
        done=reverse("obligation_list", kwargs={"org": request.org.slug}),
        what="obligation",
        consequence="Only for an obligation recorded by mistake or that no longer applies; "
        "the audit trail keeps what it said.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def obligation_catalogue(request):
    """Add EU AI Act articles and other common obligations to the register in one step."""
    present = services.in_register(request.org)
    form = CatalogueForm(
        request.POST if request.method == "POST" else None,
        organization=request.org,
        present=present,
    )
    if request.method == "POST" and form.is_valid():
        try:
            created, skipped = services.add_catalogue_obligations(
                request.org,
                actor=request.user,
                keys=form.keys(),
                systems=form.cleaned_data["systems"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = f"{len(created)} obligation{'s' if len(created) != 1 else ''} added."
            if skipped:
                text += f" Already in the register, so skipped: {', '.join(skipped)}."
            messages.success(request, text)
            return redirect("obligation_list", org=request.org.slug)
    context = {"form": form, "tabs": tabs(request, "obligations")}
    status = 422 if request.method == "POST" else 200
    return render(request, "context/obligation_catalogue.html", context, status=status)
