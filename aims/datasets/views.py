"""Pages of data sets (A.7), their uses by AI systems, and other resources (A.4)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.checks.models import Check, CheckRun
from aims.core.areas import page_sections
from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, is_filtered, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .forms import (
    DataSetFilterForm,
    DataSetForm,
    QualityChecksForm,
    ResourceFilterForm,
    ResourceForm,
    UseForm,
)
from .models import RETENTION_NOTICE_DAYS, DataSet, DataSetUse, Resource

RUNS_SHOWN = 5  # the latest runs of each quality check on the data set's page


def get_dataset(request, dataset_id: int) -> DataSet:
    dataset = get_object_or_404(
        DataSet.objects.for_org(request.org).select_related("owner"), pk=dataset_id
    )
    dataset.organization = request.org
    return dataset


def get_resource(request, resource_id: int) -> Resource:
    resource = get_object_or_404(
        Resource.objects.for_org(request.org).select_related("owner", "system"), pk=resource_id
    )
    resource.organization = request.org
    return resource


# --- Data sets -------------------------------------------------------------------------------


def filtered_datasets(request):
    form = DataSetFilterForm(request.GET, organization=request.org)
    datasets = (
        DataSet.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner")
        .annotate(
            use_count=Count("uses", distinct=True),
            check_count=Count("quality_checks", distinct=True),
        )
        .order_by("name", "pk")
    )
    return datasets, form


@org_view()
def dataset_list(request):
    datasets, filters = filtered_datasets(request)
    page = paginate(request, datasets)
    rows = with_organization(page.object_list, request.org)
    today = timezone.localdate()
    for dataset in rows:
        dataset.retention_soon = dataset.retention_due(RETENTION_NOTICE_DAYS, today)
    context = {
        "page_obj": page,
        "datasets": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("dataset_list", kwargs={"org": request.org.slug}),
        "total": DataSet.objects.for_org(request.org).count(),
        "resource_count": Resource.objects.for_org(request.org).count(),
    }
    return render(request, "datasets/dataset_list.html", context)


@org_view()
def dataset_export_csv(request):
    datasets, _ = filtered_datasets(request)
    datasets = datasets.prefetch_related(
        "clauses",
        "controls",
        Prefetch("uses", queryset=DataSetUse.objects.select_related("system")),
        Prefetch("quality_checks", queryset=Check.objects.order_by("name")),
    )
    response, writer = csv_download("data-sets", request.org)
    writer.writerow(
        [
            "Number",
            "Name",
            "Description",
            "Owner",
            "How it was acquired",
            "Source",
            "Licence",
            "Legal basis for personal data",
            "Provenance",
            "Personal data categories",
            "Special categories",
            "Known quality issues",
            "Quality checks",
            "Preparation",
            "Retention",
            "Kept until",
            "Uses",
            "Clauses and controls",
        ]
    )
    for dataset in datasets:
        writer.writerow(
            [
                dataset.pk,
                dataset.name,
                dataset.description,
                person_label(dataset.owner) if dataset.owner else "",
                dataset.get_acquisition_display(),
                dataset.source,
                dataset.licence,
                dataset.get_legal_basis_display(),
                dataset.provenance,
                dataset.personal_data_categories,
                "yes" if dataset.special_categories else "no",
                dataset.known_quality_issues,
                "; ".join(c.name for c in dataset.quality_checks.all()),
                dataset.preparation,
                dataset.retention,
                dataset.retain_until or "",
                "; ".join(
                    f"{u.system.name}{' ' + u.system_version if u.system_version else ''}: "
                    f"{u.get_purpose_display()}"
                    for u in dataset.uses.all()
                ),
                "; ".join(dataset.requirement_refs()),
            ]
        )
    return response


def dataset_form_page(request, dataset: DataSet):
    form = DataSetForm(
        request.POST if request.method == "POST" else None,
        instance=dataset,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_dataset(
            changed,
            actor=request.user,
            quality_checks=list(form.cleaned_data["quality_checks"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="datasets/dataset_form.html",
        saved=lambda changed: f"Data set “{changed.name}” saved.",
        context={"dataset": dataset},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def dataset_create(request):
    return dataset_form_page(request, DataSet(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def dataset_edit(request, dataset_id: int):
    return dataset_form_page(request, get_dataset(request, dataset_id))


def quality_checks_of(dataset: DataSet) -> list[Check]:
    """The data set's checks, each with its latest runs (``latest_runs``): two queries."""
    runs = CheckRun.objects.order_by("-started_at", "-pk")[:RUNS_SHOWN]
    return list(
        dataset.quality_checks.select_related("system").prefetch_related(
            Prefetch("runs", queryset=runs, to_attr="latest_runs")
        )
    )


def dataset_page(request, dataset: DataSet, *, use_form=None, status=200):
    today = timezone.localdate()
    checks = quality_checks_of(dataset)
    context = {
        "dataset": dataset,
        "uses": list(dataset.uses.select_related("system")),
        "checks": checks,
        "use_form": use_form or UseForm(organization=request.org),
        "checks_form": QualityChecksForm(
            organization=request.org, initial={"quality_checks": checks}
        ),
        "clauses": dataset.clauses.all(),
        "controls": dataset.controls.all(),
        "retention_soon": dataset.retention_due(RETENTION_NOTICE_DAYS, today),
        "today": today,
        "sections": page_sections("dataset_page", dataset, request),
        "events": AuditEvent.objects.for_record(dataset)[:20],
    }
    return render(request, "datasets/dataset_detail.html", context, status=status)


@org_view()
def dataset_detail(request, dataset_id: int):
    return dataset_page(request, get_dataset(request, dataset_id))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def dataset_delete(request, dataset_id: int):
    dataset = get_dataset(request, dataset_id)
    live = services.in_live_use(dataset)
    if live and request.method == "GET":
        names = ", ".join(sorted({use.system.name for use in live}))
        messages.error(
            request,
            f"“{dataset.name}” cannot be deleted: {names} (in deployment or operation) uses "
            "it. Remove those uses first, or retire the system.",
        )
        return redirect(dataset.get_absolute_url())
    count = dataset.uses.count()
    return confirm_delete(
        request,
        dataset,
        delete=services.delete_dataset,
        what="data set",
        back=dataset.get_absolute_url(),
        done=reverse("dataset_list", kwargs={"org": request.org.slug}),
        consequence=f"Its {count} recorded use{'s go' if count != 1 else ' goes'} with it; "
        "the quality checks stay.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def dataset_use_add(request, dataset_id: int):
    dataset = get_dataset(request, dataset_id)
    form = UseForm(request.POST, organization=request.org)
    if form.is_valid():
        try:
            services.add_use(dataset, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Use by {form.cleaned_data['system'].name} recorded.")
            return redirect(dataset.get_absolute_url())
    return dataset_page(request, dataset, use_form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def dataset_use_remove(request, dataset_id: int, use_id: int):
    dataset = get_dataset(request, dataset_id)
    use = get_object_or_404(
        DataSetUse.objects.filter(dataset=dataset).select_related("system"), pk=use_id
    )
    use.dataset = dataset
    return confirm_delete(
        request,
        use,
        delete=services.remove_use,
        what="use",
        back=dataset.get_absolute_url(),
        done=dataset.get_absolute_url(),
        consequence=f"{use.system.name} no longer lists this data set.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def dataset_quality_checks(request, dataset_id: int):
    dataset = get_dataset(request, dataset_id)
    form = QualityChecksForm(request.POST, organization=request.org)
    if form.is_valid():
        try:
            services.set_quality_checks(
                dataset, form.cleaned_data["quality_checks"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Quality checks saved.")
    else:
        messages.error(request, "Choose checks of this organization.")
    return redirect(dataset.get_absolute_url())


# --- Other resources -------------------------------------------------------------------------


def filtered_resources(request):
    form = ResourceFilterForm(request.GET, organization=request.org)
    resources = (
        Resource.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner", "system")
        .order_by("system__name", "kind", "name", "pk")
    )
    return resources, form


@org_view()
def resource_list(request):
    resources, filters = filtered_resources(request)
    page = paginate(request, resources)
    context = {
        "page_obj": page,
        "resources": with_organization(page.object_list, request.org),
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("resource_list", kwargs={"org": request.org.slug}),
    }
    return render(request, "datasets/resource_list.html", context)


@org_view()
def resource_export_csv(request):
    resources, _ = filtered_resources(request)
    response, writer = csv_download("ai-resources", request.org)
    writer.writerow(["Number", "AI system", "Kind", "Name", "Description", "Owner"])
    for resource in resources:
        writer.writerow(
            [
                resource.pk,
                resource.system.name,
                resource.get_kind_display(),
                resource.name,
                resource.description,
                person_label(resource.owner) if resource.owner else "",
            ]
        )
    return response


def resource_form_page(request, resource: Resource, *, initial=None):
    form = ResourceForm(
        request.POST if request.method == "POST" else None,
        instance=resource,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        changed = form.save(commit=False)
        return services.save_resource(changed, actor=request.user)

    return form_page(
        request,
        form,
        save=save,
        template="datasets/resource_form.html",
        saved=lambda changed: f"Resource “{changed.name}” saved.",
        context={"resource": resource},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def resource_create(request):
    """A new resource; from a system's page (``?system=``) it starts for that system."""
    initial = {}
    system_id = request.GET.get("system", "")
    if system_id.isascii() and system_id.isdigit() and len(system_id) <= 18:
        found = AISystem.objects.for_org(request.org).filter(pk=system_id).first()
        initial = {"system": found} if found else {}
    return resource_form_page(request, Resource(organization=request.org), initial=initial)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def resource_edit(request, resource_id: int):
    return resource_form_page(request, get_resource(request, resource_id))


@org_view()
def resource_detail(request, resource_id: int):
    resource = get_resource(request, resource_id)
    resource.system.organization = request.org
    context = {"resource": resource, "events": AuditEvent.objects.for_record(resource)[:20]}
    return render(request, "datasets/resource_detail.html", context)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def resource_delete(request, resource_id: int):
    resource = get_resource(request, resource_id)
    resource.system.organization = request.org
    return confirm_delete(
        request,
        resource,
        delete=services.delete_resource,
        what="resource",
        back=resource.get_absolute_url(),
        done=resource.system.get_absolute_url(),
    )
