"""Pages of the frameworks beside ISO/IEC 42001: the list, a framework's coverage (with its CSV
export), the records serving a standard the organization runs, and the two imports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.core.pages import confirm_delete, csv_download, is_filtered
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import services
from .coverage import Coverage, Row, coverage
from .forms import CoverageFilterForm, CSVImportForm, OSCALImportForm
from .imports import MAX_ERRORS, ImportRejected, read_csv, read_oscal_catalog
from .models import Framework, Kind, Origin, ServedRecord, StandardInUse

RECORDS_PER_KIND = 200  # on the page that marks records serving a standard


def get_framework(request, framework_slug: str) -> Framework:
    """A framework the organization may see: shipped, or its own (never another's)."""
    return get_object_or_404(Framework.objects.visible_to(request.org), slug=framework_slug)


def list_url(request) -> str:
    return reverse("framework_list", kwargs={"org": request.org.slug})


@org_view()
def framework_list(request):
    frameworks = list(
        Framework.objects.visible_to(request.org).annotate(size=Count("requirements"))
    )
    running = set(
        StandardInUse.objects.filter(organization=request.org).values_list(
            "framework_id", flat=True
        )
    )
    for framework in frameworks:
        framework.url = framework.url_for(request.org)
        framework.runs = framework.pk in running
    context = {
        "ai": [f for f in frameworks if f.kind == Kind.AI],
        "harmonized": [f for f in frameworks if f.kind == Kind.HARMONIZED],
        "own": [f for f in frameworks if f.kind == Kind.OWN],
    }
    return render(request, "frameworks/framework_list.html", context)


def _ancestor(row: Row, by_pk: dict) -> str:
    requirement = row.requirement
    while requirement.parent_id:
        requirement = by_pk[requirement.parent_id]
    return requirement.ref


def filtered_rows(request, found: Coverage) -> tuple[list[Row], CoverageFilterForm]:
    by_pk = {row.requirement.pk: row.requirement for row in found.rows}
    top = [row.requirement for row in found.rows if row.depth == 0 and len(found.rows) > 1]
    form = CoverageFilterForm(request.GET, groups=top if len(top) < len(found.rows) else ())
    filters = form.filters()
    rows = found.rows
    if "group" in filters:
        rows = [row for row in rows if _ancestor(row, by_pk) == filters["group"]]
    if "status" in filters:
        rows = [row for row in rows if row.status == filters["status"]]
    if "q" in filters:
        words = filters["q"].lower().split()
        rows = [
            row
            for row in rows
            if all(w in f"{row.requirement.ref} {row.requirement.title}".lower() for w in words)
        ]
    return rows, form


@org_view()
def framework_coverage(request, framework_slug: str):
    framework = get_framework(request, framework_slug)
    found = coverage(framework, request.org)
    rows, filters = filtered_rows(request, found)
    runs = StandardInUse.objects.filter(organization=request.org, framework=framework).exists()
    context = {
        "framework": framework,
        "coverage": found,
        "rows": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "page_url": framework.url_for(request.org),
        "querystring": request.GET.urlencode(),
        "runs": runs,
        "harmonized": framework.kind == Kind.HARMONIZED,
        "served_count": ServedRecord.objects.filter(
            organization=request.org, framework=framework
        ).count(),
        "owned": framework.organization_id == request.org.pk,
    }
    return render(request, "frameworks/coverage.html", context)


@org_view()
def framework_coverage_csv(request, framework_slug: str):
    framework = get_framework(request, framework_slug)
    rows, _ = filtered_rows(request, coverage(framework, request.org))
    response, writer = csv_download(f"coverage-{framework.slug}", request.org)
    writer.writerow(
        [
            "Id",
            "Title",
            "Kind",
            "Status",
            "ISO/IEC 42001 ids",
            "Mapping made by",
            "Evidencing records",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.requirement.ref,
                row.requirement.title,
                row.requirement.kind,
                row.status.label if row.status else "",
                "; ".join(row.targets),
                "; ".join(row.provenance),
                "; ".join(f"{e.kind}: {e.title} ({', '.join(e.addresses)})" for e in row.evidence),
            ]
        )
    return response


@org_view(Access.MANAGE)
@require_POST
def framework_standard(request, framework_slug: str):
    framework = get_framework(request, framework_slug)
    runs = request.POST.get("runs") == "on"
    try:
        services.set_standard_in_use(request.org, framework, runs=runs, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        said = "runs" if runs else "no longer runs"
        messages.success(request, f"{request.org.name} {said} {framework.name}.")
    back_to_list = request.POST.get("next") == "list"
    return redirect(list_url(request) if back_to_list else framework.url_for(request.org))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def framework_records(request, framework_slug: str):
    """Mark which documents and records serve a standard the organization runs."""
    framework = get_framework(request, framework_slug)
    if framework.kind != Kind.HARMONIZED:
        messages.error(request, "Only a management system standard has records serving it.")
        return redirect(framework.url_for(request.org))
    kinds = []
    for kind in services.record_kinds():
        content_type = ContentType.objects.get_for_model(kind.model)
        # Records naming a clause (a subquery, not DISTINCT: PostgreSQL refuses DISTINCT on a
        # row holding a json column).
        named = kind.model.objects.filter(organization=request.org, clauses__isnull=False)
        records = list(
            kind.model.objects.filter(pk__in=named.values("pk")).order_by("pk")[:RECORDS_PER_KIND]
        )
        if not records:
            continue
        served = set(
            ServedRecord.objects.filter(
                organization=request.org, framework=framework, content_type=content_type
            ).values_list("object_id", flat=True)
        )
        for record in records:
            record.organization = request.org
            record.serves = record.pk in served
        kinds.append(
            {"label": kind.label, "model": kind.model, "key": content_type.pk, "records": records}
        )
    if request.method == "POST":
        chosen = {}
        for entry in kinds:
            values = request.POST.getlist(f"records-{entry['key']}")
            chosen[entry["model"]] = [int(v) for v in values if v.isascii() and v.isdigit()][
                :RECORDS_PER_KIND
            ]
        try:
            services.set_served(request.org, framework, chosen, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Records serving {framework.name} saved.")
            return redirect(framework.url_for(request.org))
    runs = StandardInUse.objects.filter(organization=request.org, framework=framework).exists()
    context = {"framework": framework, "kinds": kinds, "runs": runs}
    return render(request, "frameworks/records.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def framework_delete(request, framework_slug: str):
    framework = get_framework(request, framework_slug)
    if framework.shipped:
        messages.error(request, "A framework shipped with OpenAIMS cannot be deleted.")
        return redirect(framework.url_for(request.org))
    return confirm_delete(
        request,
        framework,
        delete=services.delete_framework,
        what="framework",
        back=framework.url_for(request.org),
        done=list_url(request),
        consequence=f"Its {framework.requirements.count()} requirements and their mappings to "
        "ISO/IEC 42001 are deleted with it. Your records are not touched.",
    )


def _import_page(request, form, *, read, origin: str, template: str):
    problems, more = [], 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            parsed = read(data)
            name = form.cleaned_data["name"] or parsed.title or "Imported catalog"
            framework = services.import_framework(
                request.org,
                parsed,
                actor=request.user,
                name=name[:100],
                version=form.cleaned_data["version"],
                origin=origin,
            )
        except ImportRejected as rejected:
            problems = rejected.problems[:MAX_ERRORS]
            more = len(rejected.problems) - len(problems)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            count = framework.requirements.count()
            messages.success(request, f"“{framework.name}” imported: {count} requirements.")
            return redirect(framework.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "problems": problems, "more": more, "origin": origin}
    return render(request, template, context, status=status)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def framework_import_csv(request):
    form = CSVImportForm(request.POST or None, request.FILES or None)
    return _import_page(
        request, form, read=read_csv, origin=Origin.CSV, template="frameworks/import.html"
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def framework_import_oscal(request):
    form = OSCALImportForm(request.POST or None, request.FILES or None)
    return _import_page(
        request,
        form,
        read=read_oscal_catalog,
        origin=Origin.OSCAL,
        template="frameworks/import.html",
    )
