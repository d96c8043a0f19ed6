"""Interested parties and their requirements (clause 4.2)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.pages import confirm_delete, form_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from ..forms import PartyFilterForm, PartyForm
from ..models import InterestedParty
from .common import csv_export, events_of, list_page, person, requirement_refs, tabs


def get_party(request, party_id: int) -> InterestedParty:
    party = get_object_or_404(
        InterestedParty.objects.for_org(request.org).select_related("owner"), pk=party_id
    )
    party.organization = request.org
    return party


def filtered_parties(request):
    form = PartyFilterForm(request.GET, organization=request.org)
    parties = InterestedParty.objects.for_org(request.org).for_list().filtered(**form.applied())
    return parties, form


@org_view()
def party_list(request):
    parties, form = filtered_parties(request)
    return list_page(
        request, records=parties, filters=form, tab="parties", template="context/party_list.html"
    )


@org_view()
def party_export_csv(request):
    parties, _ = filtered_parties(request)
    parties = parties.prefetch_related("clauses", "controls")
    header = [
        "Name", "Internal or external", "Kind", "Needs and expectations",
        "Relevant requirements", "Addressed by the AIMS", "How", "Owner", "Review date",
        "Addresses", "Recorded", "Updated",
    ]  # fmt: skip
    rows = (
        [
            p.name,
            p.get_side_display(),
            p.get_kind_display(),
            p.needs,
            p.requirements,
            p.get_addressed_display(),
            p.how_addressed,
            person(p.owner),
            p.review_date,
            requirement_refs(p),
            p.created_at.date(),
            p.updated_at.date(),
        ]  # fmt: skip
        for p in parties
    )
    return csv_export(request, name="interested-parties", header=header, rows=rows)


def party_form(request, party: InterestedParty):
    form = PartyForm(
        request.POST if request.method == "POST" else None,
        instance=party,
        organization=request.org,
    )

    def save(form):
        return services.save_party(
            form.save(commit=False),
            actor=request.user,
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )

    return form_page(
        request,
        template="context/form.html",
        form=form,
        save=save,
        context={
            "record": party,
            "title": f"Edit {party.name}" if party.pk else "New interested party",
            "crumb": ("Interested parties", "party_list"),
            "tabs": tabs(request, "parties"),
            "layout": [
                ("The party (4.2)", ["name", "side", "kind"]),
                ("What they expect", ["needs", "requirements"]),
                ("How the AIMS meets it", ["addressed", "how_addressed"]),
                ("Follow-up", ["owner", "review_date"]),
                ("Requirements it addresses", ["clauses", "controls"]),
            ],
            "submit": "Save changes" if party.pk else "Record party",
        },
        saved=lambda p: f"Interested party “{p.name}” saved.",
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def party_create(request):
    return party_form(request, InterestedParty(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def party_edit(request, party_id: int):
    return party_form(request, get_party(request, party_id))


@org_view()
def party_detail(request, party_id: int):
    party = get_party(request, party_id)
    context = {
        "party": party,
        "clauses": party.clauses.all(),
        "controls": party.controls.all(),
        "events": events_of(party),
        "tabs": tabs(request, "parties"),
        "today": timezone.localdate(),
    }
    return render(request, "context/party_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def party_delete(request, party_id: int):
    party = get_party(request, party_id)
    return confirm_delete(
        request,
        record=party,
        delete=services.delete_party,
        back=party.get_absolute_url(),
        done=reverse("party_list", kwargs={"org": request.org.slug}),
        what="interested party",
        consequence="Only for a party recorded by mistake. A party whose requirements still "
        "apply belongs in the register, even when the AIMS does not address them yet.",
    )
