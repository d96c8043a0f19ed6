"""Pages of AI objectives (6.2) and KPIs (9.1)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors, person_label
from aims.core.pages import confirm_delete, csv_download, form_page, with_organization
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services
from .charts import kpi_chart
from .forms import (
    ImportForm,
    KPIFilterForm,
    KPIForm,
    MeasurementForm,
    ObjectiveFilterForm,
    ObjectiveForm,
)
from .models import KPI, KPISource, KPIStatus, Measurement, Objective, format_value

CHART_POINTS = 60  # the newest measurements the chart draws
TABLE_ROWS = 50  # the newest measurements the table lists


def get_objective(request, objective_id: int) -> Objective:
    objective = get_object_or_404(
        Objective.objects.for_org(request.org).select_related("owner"), pk=objective_id
    )
    objective.organization = request.org
    return objective


def get_kpi(request, kpi_id: int) -> KPI:
    kpi = get_object_or_404(
        KPI.objects.for_org(request.org).select_related("owner", "check_definition__system"),
        pk=kpi_id,
    )
    kpi.organization = request.org
    return kpi


# --- Objectives --------------------------------------------------------------------------------


def filtered_objectives(request):
    form = ObjectiveFilterForm(request.GET, organization=request.org)
    objectives = (
        Objective.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner")
        .annotate(
            kpi_count=Count("kpis", distinct=True),
            kpis_off=Count("kpis", filter=Q(kpis__status=KPIStatus.OFF_TARGET), distinct=True),
        )
        .order_by("deadline", "title", "pk")
    )
    return objectives, form


@org_view()
def objective_list(request):
    objectives, filters = filtered_objectives(request)
    page = paginate(request, objectives)
    all_objectives = Objective.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "objectives": with_organization(list(page.object_list), request.org),
        "filters": filters,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "list_url": reverse("objective_list", kwargs={"org": request.org.slug}),
        "today": timezone.localdate(),
        "on_track": all_objectives.counted().on_track().count(),
        "counted": all_objectives.counted().count(),
        "kpi_count": KPI.objects.for_org(request.org).count(),
    }
    return render(request, "objectives/objective_list.html", context)


@org_view()
def objective_export_csv(request):
    objectives, _ = filtered_objectives(request)
    objectives = objectives.prefetch_related("annex_objectives", "clauses", "controls")
    response, writer = csv_download("ai-objectives", request.org)
    writer.writerow(
        [
            "Number",
            "Title",
            "What will be done",
            "Resources needed",
            "Owner",
            "Deadline",
            "How results are evaluated",
            "Status",
            "Annex C objectives",
            "Clauses and controls",
            "KPIs",
            "KPIs off target",
        ]
    )
    for objective in objectives:
        writer.writerow(
            [
                objective.pk,
                objective.title,
                objective.plan,
                objective.resources,
                person_label(objective.owner) if objective.owner else "",
                objective.deadline,
                objective.evaluation,
                objective.get_status_display(),
                "; ".join(o.ref for o in objective.annex_objectives.all()),
                "; ".join(objective.requirement_refs()),
                objective.kpi_count,
                objective.kpis_off,
            ]
        )
    return response


def objective_form_page(request, objective: Objective):
    form = ObjectiveForm(
        request.POST if request.method == "POST" else None,
        instance=objective,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_objective(
            changed,
            actor=request.user,
            annex_objectives=list(form.cleaned_data["annex_objectives"]),
            clauses=list(form.cleaned_data["clauses"]),
            controls=list(form.cleaned_data["controls"]),
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="objectives/objective_form.html",
        saved=lambda changed: f"Objective “{changed.title}” saved.",
        context={"objective": objective},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def objective_create(request):
    return objective_form_page(request, Objective(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def objective_edit(request, objective_id: int):
    return objective_form_page(request, get_objective(request, objective_id))


@org_view()
def objective_detail(request, objective_id: int):
    objective = get_objective(request, objective_id)
    today = timezone.localdate()
    context = {
        "objective": objective,
        "kpis": with_organization(list(objective.kpis.select_related("owner")), request.org),
        "annex_objectives": objective.annex_objectives.all(),
        "clauses": objective.clauses.all(),
        "controls": objective.controls.all(),
        "overdue": objective.is_overdue(today),
        "today": today,
        "events": AuditEvent.objects.for_record(objective)[:20],
    }
    return render(request, "objectives/objective_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def objective_delete(request, objective_id: int):
    objective = get_objective(request, objective_id)
    return confirm_delete(
        request,
        objective,
        delete=services.delete_objective,
        what="objective",
        back=objective.get_absolute_url(),
        done=reverse("objective_list", kwargs={"org": request.org.slug}),
        consequence="Its KPIs stay; they no longer name it.",
    )


# --- KPIs --------------------------------------------------------------------------------------


def filtered_kpis(request):
    form = KPIFilterForm(request.GET)
    kpis = (
        KPI.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("owner", "check_definition")
        .annotate(objective_count=Count("objectives", distinct=True))
        .order_by("name", "pk")
    )
    return kpis, form


@org_view()
def kpi_list(request):
    kpis, filters = filtered_kpis(request)
    page = paginate(request, kpis)
    counts = KPI.objects.for_org(request.org).aggregate(
        total=Count("pk"),
        **{s.value: Count("pk", filter=Q(status=s)) for s in KPIStatus},
    )
    context = {
        "page_obj": page,
        "kpis": with_organization(list(page.object_list), request.org),
        "filters": filters,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "list_url": reverse("kpi_list", kwargs={"org": request.org.slug}),
        "counts": [(s, counts[s.value]) for s in KPIStatus],
        "total": counts["total"],
        "import_form": ImportForm(),
    }
    return render(request, "objectives/kpi_list.html", context)


@org_view()
def kpi_export_csv(request):
    kpis, _ = filtered_kpis(request)
    response, writer = csv_download("kpis", request.org)
    writer.writerow(
        [
            "Number",
            "Name",
            "Unit",
            "Target",
            "Direction",
            "Band",
            "Tolerance",
            "Frequency",
            "Owner",
            "Source",
            "Latest value",
            "Latest date",
            "Status",
        ]
    )
    for kpi in kpis:
        writer.writerow(
            [
                kpi.pk,
                kpi.name,
                kpi.unit,
                format_value(kpi.target),
                kpi.get_direction_display(),
                format_value(kpi.band),
                format_value(kpi.tolerance),
                kpi.get_frequency_display(),
                person_label(kpi.owner) if kpi.owner else "",
                kpi.get_source_display(),
                format_value(kpi.latest_value),
                kpi.latest_date or "",
                kpi.get_status_display(),
            ]
        )
    return response


def kpi_form_page(request, kpi: KPI, *, initial=None):
    form = KPIForm(
        request.POST if request.method == "POST" else None,
        instance=kpi,
        organization=request.org,
        initial=initial,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_kpi(
            changed, actor=request.user, objectives=list(form.cleaned_data["objectives"])
        )
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="objectives/kpi_form.html",
        saved=lambda changed: f"KPI “{changed.name}” saved.",
        context={"kpi": kpi},
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def kpi_create(request):
    """A new KPI; from an objective's page (``?objective=``) it starts linked to it."""
    initial = {}
    objective_id = request.GET.get("objective", "")
    if objective_id.isdigit():
        found = Objective.objects.for_org(request.org).filter(pk=objective_id).first()
        initial = {"objectives": [found]} if found else {}
    return kpi_form_page(request, KPI(organization=request.org), initial=initial)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def kpi_edit(request, kpi_id: int):
    return kpi_form_page(request, get_kpi(request, kpi_id))


def kpi_page(request, kpi: KPI, *, measurement_form=None, import_form=None, status=200):
    newest = list(kpi.measurements.latest_first().select_related("recorded_by")[:CHART_POINTS])
    for measurement in newest:
        measurement.kpi = kpi
        measurement.status = kpi.status_for(measurement.value)
    points = [(m.date, m.value) for m in reversed(newest)]
    context = {
        "kpi": kpi,
        "chart": kpi_chart(kpi, points),
        "measurements": newest[:TABLE_ROWS],
        "measurement_count": kpi.measurements.count(),
        "objectives": with_organization(list(kpi.objectives.all()), request.org),
        "measurement_form": measurement_form
        or MeasurementForm(initial={"date": timezone.localdate()}),
        "import_form": import_form or ImportForm(),
        "next_due": kpi.next_due() if kpi.is_fed_by_people else None,
        "today": timezone.localdate(),
        "measure_label": getattr(services.measures().get(kpi.measure_key), "label", ""),
        "events": AuditEvent.objects.for_record(kpi)[:20],
    }
    return render(request, "objectives/kpi_detail.html", context, status=status)


@org_view()
def kpi_detail(request, kpi_id: int):
    kpi = get_kpi(request, kpi_id)
    if kpi.source == KPISource.CHECK and services.import_check_runs(kpi):
        kpi = get_kpi(request, kpi_id)  # the runs it had missed are in now
    return kpi_page(request, kpi)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def kpi_delete(request, kpi_id: int):
    kpi = get_kpi(request, kpi_id)
    count = kpi.measurements.count()
    return confirm_delete(
        request,
        kpi,
        delete=services.delete_kpi,
        what="KPI",
        back=kpi.get_absolute_url(),
        done=reverse("kpi_list", kwargs={"org": request.org.slug}),
        consequence=f"Its {count} measurement{'s' if count != 1 else ''} go with it.",
    )


@org_view(Access.CONTRIBUTE)
@require_POST
def kpi_measure(request, kpi_id: int):
    kpi = get_kpi(request, kpi_id)
    form = MeasurementForm(request.POST)
    if form.is_valid():
        try:
            services.add_measurement(
                kpi,
                actor=request.user,
                date=form.cleaned_data["date"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Measurement of {kpi.name} recorded.")
            return redirect("kpi_detail", org=request.org.slug, kpi_id=kpi.pk)
    return kpi_page(request, kpi, measurement_form=form, status=422)


@org_view(Access.CONTRIBUTE)
@require_POST
def kpi_measure_now(request, kpi_id: int):
    kpi = get_kpi(request, kpi_id)
    try:
        measurement = services.sample_measure(kpi, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{kpi.name} measured: {format_value(measurement.value)}.")
    return redirect("kpi_detail", org=request.org.slug, kpi_id=kpi.pk)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def kpi_import(request):
    """Import measurements from a CSV file; from a KPI's page (``?kpi=``), an empty kpi cell
    means that KPI."""
    default = None
    kpi_id = request.GET.get("kpi", "")
    if kpi_id.isdigit():
        default = get_kpi(request, int(kpi_id))
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            made = services.import_measurements(
                request.org, form.cleaned_data["file"], actor=request.user, default_kpi=default
            )
        except services.ImportRefused as refused:
            problems = refused.problems
            form.add_error("file", "Nothing was imported: correct the rows below and try again.")
        else:
            messages.success(
                request, f"{len(made)} measurement{'s' if len(made) != 1 else ''} imported."
            )
            if default is not None:
                return redirect("kpi_detail", org=request.org.slug, kpi_id=default.pk)
            return redirect("kpi_list", org=request.org.slug)
    context = {
        "form": form,
        "problems": problems[: services.ImportRefused.MAX_SHOWN],
        "more_problems": max(len(problems) - services.ImportRefused.MAX_SHOWN, 0),
        "kpi": default,
        "kpi_names": list(
            KPI.objects.for_org(request.org).fed_by_people().values_list("name", flat=True)[:20]
        ),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "objectives/kpi_import.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def measurement_delete(request, kpi_id: int, measurement_id: int):
    kpi = get_kpi(request, kpi_id)
    measurement = get_object_or_404(Measurement.objects.filter(kpi=kpi), pk=measurement_id)
    measurement.kpi = kpi
    return confirm_delete(
        request,
        measurement,
        delete=services.delete_measurement,
        what="measurement",
        back=kpi.get_absolute_url(),
        done=kpi.get_absolute_url(),
        consequence="The KPI's status follows its latest remaining measurement.",
    )
