"""Pages of the regulatory watch: changes in law and guidance, their effect on the AI systems
and obligations (ISO/IEC 42001 4.1, 6.3), read by the management review as changes in external
issues (9.3.2 b)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from aims.core.forms import person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import services
from .models import RegulatoryChange
from .record_forms import ChangeFilterForm, ChangeForm
from .record_views import trail_of


def get_change(request, regulatory_change_id: int) -> RegulatoryChange:
    change = get_object_or_404(
        RegulatoryChange.objects.for_org(request.org).select_related("owner"),
        pk=regulatory_change_id,
    )
    change.organization = request.org
    return change


def filtered_changes(request):
    filters = ChangeFilterForm(request.GET, organization=request.org)
    found = filters.filter(RegulatoryChange.objects.for_org(request.org).select_related("owner"))
    return found, filters


@org_view()
def change_list(request):
    found, filters = filtered_changes(request)
    page = paginate(request, found.prefetch_related("systems"))
    context = {
        "page_obj": page,
        "changes": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("act_change_list", kwargs={"org": request.org.slug}),
        "open_count": RegulatoryChange.objects.for_org(request.org).open().count(),
    }
    return render(request, "euaiact/change_list.html", context)


@org_view()
def change_export_csv(request):
    found, _ = filtered_changes(request)
    response, writer = csv_download("regulatory-watch", request.org)
    writer.writerow(
        [
            "Number",
            "Title",
            "Source",
            "Reference",
            "Jurisdiction",
            "Published on",
            "Applies from",
            "What changes",
            "Effect on us",
            "Obligations touched",
            "AI systems",
            "Status",
            "Owner",
            "Recorded at",
        ]
    )
    for change in found.prefetch_related("systems"):
        writer.writerow(
            [
                change.pk,
                change.title,
                change.get_source_display(),
                change.reference,
                change.jurisdiction,
                change.published_on or "",
                change.effective_on or "",
                change.summary,
                change.effect,
                change.articles,
                "; ".join(s.name for s in change.systems.all()),
                change.get_status_display(),
                person_label(change.owner) if change.owner else "",
                change.recorded_at.date(),
            ]
        )
    return response


def change_form_page(request, change: RegulatoryChange):
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        instance=change,
        organization=request.org,
    )

    def save(form):
        return services.save_change(
            form.save(commit=False),
            actor=request.user,
            systems=list(form.cleaned_data["systems"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="euaiact/change_form.html",
        saved=lambda saved: f"“{saved.title}” saved.",
        context={"change": change},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_create(request):
    return change_form_page(request, RegulatoryChange(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def change_edit(request, regulatory_change_id: int):
    return change_form_page(request, get_change(request, regulatory_change_id))


@org_view()
def change_detail(request, regulatory_change_id: int):
    change = get_change(request, regulatory_change_id)
    context = {
        "change": change,
        "systems": list(change.systems.order_by("name")),
        "events": trail_of(change, request.org),
    }
    return render(request, "euaiact/change_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def change_delete(request, regulatory_change_id: int):
    change = get_change(request, regulatory_change_id)
    return confirm_delete(
        request,
        change,
        delete=services.delete_record,
        what="regulatory change",
        back=change.get_absolute_url(),
        done=reverse("act_change_list", kwargs={"org": request.org.slug}),
        consequence="Only for a change recorded by mistake: one with no effect on you is kept, "
        "marked “No effect on us”, as the record that it was assessed.",
    )
