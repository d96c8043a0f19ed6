"""Technical checks: definitions, runs with their charts, and alerts."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.areas import is_id, page_sections, record_actions
from aims.core.exports import safe_csv_writer
from aims.core.forms import add_service_errors
from aims.core.pagination import paginate, query_without_page
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import columns, samples, services, tasks
from .charts import trend_chart
from .forms import CheckForm, ResolveAlertForm, column_fields
from .kinds import kind_of
from .kinds.base import csv
from .models import Alert, Check, CheckRun, Kind, RunStatus, SourceType

# The service's names of what it refuses -> the check form's fields.
FORM_FIELDS = {"data_blob": "data_file", "columns": "drift_columns"}
NOT_RUN = "The check could not run (recorded in its history; the owner is alerted): "
SAMPLES = {"credit-scoring-predictions": samples.BIASED, "credit-scoring-validation": samples.FAIR}


def _check(request, check_id: int) -> Check:
    return get_object_or_404(
        Check.objects.for_org(request.org).select_related("system", "data_blob"), pk=check_id
    )


@org_view()
def check_list(request):
    latest = CheckRun.objects.filter(definition=OuterRef("pk")).order_by("-started_at", "-pk")
    checks = (
        Check.objects.for_org(request.org)
        .select_related("system")
        .annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_run_at=Subquery(latest.values("started_at")[:1]),
        )
    )
    system = request.GET.get("system", "")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").replace("\x00", "").strip()
    if q:
        checks = checks.filter(Q(name__icontains=q) | Q(system__name__icontains=q))
    if system.isdigit():
        checks = checks.filter(system_id=system)
    if kind in Kind.values:
        checks = checks.filter(kind=kind)
    if status in RunStatus.values:
        checks = checks.filter(last_status=status)
    elif status == "never":
        checks = checks.filter(last_status__isnull=True)
    page = paginate(request, checks)
    return render(
        request,
        "checks/check_list.html",
        {
            "page_obj": page,
            "querystring": query_without_page(request),
            "systems": AISystem.objects.for_org(request.org).order_by("name")[:200],
            "kind_choices": Kind.choices,
            "status_choices": RunStatus.choices,
            "f": {"system": system, "kind": kind, "status": status, "q": q},
            "filtering": bool(system or kind or status or q),
            "open_alerts": Alert.objects.filter(organization=request.org).open().count(),
        },
    )


def _save_form(request, form: CheckForm) -> Check | None:
    """Validate and save; errors go on the form and nothing is saved."""
    if not form.is_valid():
        return None
    check = form.build()
    try:
        services.store_uploads(
            check,
            data_file=form.cleaned_data.get("data_file"),
            reference_file=form.cleaned_data.get("reference_file"),
        )
        return services.save_check(
            check,
            actor=request.user,
            controls=list(form.cleaned_data["controls"]),
            risks=list(form.cleaned_data["risks"]),
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            renamed = {FORM_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
            exc = ValidationError(renamed)
        add_service_errors(form, exc)
        return None


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def check_create(request):
    initial = {}
    system_id = request.GET.get("system", "")
    if system_id.isdigit():
        initial["system"] = AISystem.objects.for_org(request.org).filter(pk=system_id).first()
        if initial["system"] is not None:
            initial["name"] = f"Fairness of {initial['system'].name}"
    form = CheckForm(
        request.POST or None,
        request.FILES or None,
        organization=request.org,
        initial=initial,
        instance=Check(organization=request.org),
    )
    if request.method == "POST":
        check = _save_form(request, form)
        if check is not None:
            messages.success(request, f"Check “{check.name}” saved. Run it to record evidence.")
            return redirect("check_detail", org=request.org.slug, check_id=check.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "checks/check_form.html",
        {"form": form, "samples": SAMPLES, "columns": samples.COLUMNS},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def check_edit(request, check_id: int):
    check = _check(request, check_id)
    form = CheckForm(
        request.POST or None, request.FILES or None, organization=request.org, instance=check
    )
    if request.method == "POST":
        saved = _save_form(request, form)
        if saved is not None:
            messages.success(request, f"Check “{saved.name}” saved.")
            return redirect("check_detail", org=request.org.slug, check_id=saved.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "checks/check_form.html",
        {"form": form, "check": check, "samples": SAMPLES, "columns": samples.COLUMNS},
        status=status,
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def check_columns(request):
    """The columns of the check form's data file, offered in selects (htmx, out of band, in
    place of the text fields). GET: a path under the data folders, or a check's own file
    (``check``); POST: a file being uploaded, whose schema only is read (it is not stored)."""
    data = request.POST if request.method == "POST" else request.GET
    schema, error = None, None
    try:
        uploaded = request.FILES.get("data_file")
        check_id = data.get("check", "")
        source = data.get("source_type", "")
        if uploaded is not None:
            schema = columns.read_upload(uploaded)
        elif source == SourceType.PATH and data.get("data_path", "").strip():
            schema = columns.read_path(data["data_path"])
        elif source in ("", SourceType.UPLOAD) and is_id(check_id):
            check = Check.objects.for_org(request.org).filter(pk=check_id).first()
            schema = columns.check_schema(check) if check is not None else None
    except columns.SchemaError as exc:
        error = str(exc)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    fields = []
    if schema is not None:
        for name, several in column_fields().items():
            raw = data.get(name, "") if not several else ", ".join(data.getlist(name))
            chosen = csv(raw) if several else [raw.strip()] if raw.strip() else []
            fields.append(
                {
                    "name": name,
                    "several": several,
                    "size": min(len(schema.columns) + 1, 6),
                    "missing": [c for c in chosen if c not in schema.names],
                    "chosen": chosen,
                }
            )
    return render(
        request, "checks/_columns.html", {"schema": schema, "error": error, "fields": fields}
    )


def _trend(check: Check, runs: list[CheckRun]):
    if not check.thresholds or not runs:
        return None
    first = check.thresholds[0]
    points = []
    for run in reversed(runs):
        value = next(
            (t.get("value") for t in run.threshold_results if t.get("metric") == first["metric"]),
            None,
        )
        points.append((run.started_at, value, run.passed))
    return trend_chart(
        points, title=f"{first['metric']} over the runs", limit=float(first["limit"])
    )


@org_view()
def check_detail(request, check_id: int):
    return _detail(request, _check(request, check_id))


def _detail(request, check: Check, *, error: str | None = None, status: int = 200):
    runs = list(
        check.runs.select_related("triggered_by", "evidence").order_by("-started_at", "-pk")[:50]
    )
    pending = tasks.pending_for(check)
    return render(
        request,
        "checks/check_detail.html",
        {
            "check": check,
            "runs": runs,
            "pending": pending,
            "trend": _trend(check, runs),
            "controls": check.controls.order_by("position"),
            "risks": check.risks.order_by("ref"),
            "events": AuditEvent.objects.for_record(check)[:20],
            "error": error,
        },
        status=status,
    )


@org_view()
def check_runs_export(request, check_id: int):
    """Every run of the check as CSV: one row per run, one column group per threshold metric."""
    check = _check(request, check_id)
    runs = check.runs.select_related("triggered_by").order_by("started_at", "pk")
    metrics = [t["metric"] for t in check.thresholds or []]
    for run in runs:
        metrics += [t["metric"] for t in run.threshold_results if t["metric"] not in metrics]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{request.org.slug}-check-{check.pk}-runs-{stamp}.csv"'
    )
    writer = safe_csv_writer(response)
    header = ["Run", "Started", "Result", "Origin", "By", "Rows", "Data SHA-256"]
    reads_reference = kind_of(check).reads_reference
    if reads_reference:
        header.append("Reference SHA-256")
    header.append("Engine")
    for metric in metrics:
        header += [metric, f"{metric} limit", f"{metric} passed"]
    writer.writerow([*header, "Evidence", "Error"])
    for run in runs:
        by_metric = {t["metric"]: t for t in run.threshold_results}
        row = [
            run.pk,
            run.started_at.isoformat(timespec="seconds"),
            run.get_status_display(),
            run.get_origin_display(),
            run.triggered_by.get_username() if run.triggered_by else "",
            run.fingerprint.get("rows", ""),
            run.data_sha256(),
        ]
        if reads_reference:
            row.append(run.inputs().get("reference", {}).get("sha256", ""))
        row.append(run.engine_version)
        for metric in metrics:
            t = by_metric.get(metric, {})
            sign = {"max": "<=", "min": ">="}.get(t.get("op"), "")
            passed = {True: "yes", False: "no"}.get(t.get("passed"), "")
            row += [t.get("value", ""), f"{sign} {t['limit']}" if t else "", passed]
        row += [run.evidence_id or "", run.error]
        writer.writerow(row)
    return response


@org_view(Access.CONTRIBUTE)
@require_POST
def check_run(request, check_id: int):
    """Queue a run for the worker; with an immediate task backend the run is already done."""
    check = _check(request, check_id)
    if check.source_type == SourceType.PIPELINE:
        messages.error(request, "This check's runs come from the ML pipeline; it cannot run here.")
        return redirect("check_detail", org=request.org.slug, check_id=check.pk)
    if tasks.pending_for(check):
        messages.info(request, "A run of this check is already queued; its result shows here.")
        return redirect("check_detail", org=request.org.slug, check_id=check.pk)
    queued = tasks.describe(tasks.enqueue_run(check, actor=request.user))
    if queued.waiting:
        messages.info(request, "The run is queued; this page shows its result when it is done.")
        return redirect("check_detail", org=request.org.slug, check_id=check.pk)
    if queued.error:  # an immediate task backend ran it already
        return _detail(request, check, error=NOT_RUN + queued.error, status=422)
    return _announce(request, queued.run)


def _announce(request, run_id: int):
    run = get_object_or_404(CheckRun.objects.for_org(request.org), pk=run_id)
    if run.passed:
        messages.success(request, "The check passed. Its result is recorded as evidence.")
    else:
        messages.error(request, "The check FAILED. An alert went to the AI system's owner.")
    return redirect("run_detail", org=request.org.slug, run_id=run.pk)


@org_view()
def check_task(request, check_id: int, task_id: uuid.UUID):
    """Where a queued run stands. htmx polls this while it waits; once the run is recorded the
    browser goes to its result."""
    check = _check(request, check_id)
    queued = tasks.result_for(check, str(task_id))
    if queued is None:
        raise Http404("No such run of this check.")
    if queued.run is not None:
        url = reverse("run_detail", kwargs={"org": request.org.slug, "run_id": queued.run})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    if request.headers.get("HX-Request"):
        return render(request, "checks/_pending.html", {"check": check, "task": queued})
    return _detail(request, check, error=queued.error and NOT_RUN + queued.error)


@org_view()
def run_detail(request, run_id: int):
    run = get_object_or_404(
        CheckRun.objects.for_org(request.org).select_related(
            "definition__system", "triggered_by", "evidence"
        ),
        pk=run_id,
    )
    result = run.result or {}
    kind = kind_of(run.definition)
    return render(
        request,
        "checks/run_detail.html",
        {
            "run": run,
            "check": run.definition,
            "kind": kind,
            "result": result,
            "charts": kind.charts(result),
            "table": kind.metric_table(result),
            "inputs": run.inputs(),
            "alert": _alert_for(run),
            "sections": page_sections("run_page", run, request),
        },
    )


def _alert_for(run: CheckRun) -> Alert | None:
    """The alert a failed run raised or added to: its check's alert that was open when it ran."""
    if run.passed:
        return None
    return (
        Alert.objects.filter(
            run__definition_id=run.definition_id, run__started_at__lte=run.started_at
        )
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=run.started_at))
        .select_related("recipient")
        .order_by("-created_at", "-pk")
        .first()
    )


@org_view()
def alert_list(request):
    state = request.GET.get("state", "open")
    alerts = Alert.objects.filter(organization=request.org).select_related(
        "system", "recipient", "run__definition", "resolved_by", "last_run"
    )
    if state == "open":
        alerts = alerts.open()
    elif state == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False)
    page = paginate(request, alerts)
    _offer_actions(request, page)
    context = {
        "page_obj": page,
        "querystring": query_without_page(request),
        "state": state,
        "form": ResolveAlertForm(),
    }
    if not page.paginator.count:
        context.update(_latest_runs(request.org))
    return render(request, "checks/alert_list.html", context)


def _latest_runs(org) -> dict:
    """What the alerts page says when it has none to list: the checks whose latest run failed
    or could not run (an alert resolved does not make its check pass), and whether any ran."""
    latest = CheckRun.objects.filter(definition=OuterRef("pk")).order_by("-started_at", "-pk")
    checks = Check.objects.for_org(org).annotate(
        last_status=Subquery(latest.values("status")[:1]),
        last_run=Subquery(latest.values("pk")[:1]),
    )
    failing = checks.filter(last_status__in=[RunStatus.FAILED, RunStatus.ERROR])
    return {
        "failing": list(failing.select_related("system").order_by("name")[:20]),
        "failing_count": failing.count(),
        "any_run": checks.filter(last_status__isnull=False).exists(),
    }


def _offer_actions(request, alerts) -> None:
    """Give each alert the actions other areas offer beside it (open an incident, say), each
    with its URL, as ``alert.actions``: only those the member's role allows."""
    allowed = [a for a in record_actions("alert_actions") if request.membership.can(a.access)]
    for alert in alerts:
        alert.actions = [
            (a, reverse(a.url_name, kwargs={"org": request.org.slug, "alert_id": alert.pk}))
            for a in allowed
        ]


@org_view(Access.CONTRIBUTE)
@require_POST
def alert_resolve(request, alert_id: int):
    alert = get_object_or_404(Alert.objects.filter(organization=request.org), pk=alert_id)
    form = ResolveAlertForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_alert(
                alert, actor=request.user, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Alert on {alert.system.name} resolved.")
    else:
        messages.error(request, "Say what was done about the failed check to resolve the alert.")
    return redirect("alert_list", org=request.org.slug)


@org_view(Access.MANAGE)
@require_POST
def check_delete(request, check_id: int):
    check = _check(request, check_id)
    try:
        services.delete_check(check, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("check_detail", org=request.org.slug, check_id=check.pk)
    messages.success(request, f"Check “{check.name}” deleted.")
    return redirect("check_list", org=request.org.slug)


@org_view()
def check_sample(request, name: str):
    """The synthetic prediction logs shipped with OpenAIMS, to try a check."""
    path = SAMPLES.get(name)
    if path is None:
        raise Http404("No such sample.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=path.name,
        content_type="application/vnd.apache.parquet",
    )


def system_checks(system: AISystem):
    """The checks of a system with their latest run, for the system page (two queries)."""
    return list(
        system.checks.prefetch_related(
            Prefetch("runs", queryset=CheckRun.objects.order_by("-started_at", "-pk"))
        )
    )
