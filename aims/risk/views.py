"""Pages of the AI risk register (ISO/IEC 42001 6.1.2, 6.1.3, 8.2, 8.3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.areas import page_sections
from aims.core.exports import safe_csv_writer
from aims.core.forms import add_service_errors
from aims.core.pages import record_urls, with_organization
from aims.core.pagination import PAGE_SIZE, query_without_page
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.cache import cached_for
from aims.trail.models import AuditEvent

from . import services
from .filters import filtered
from .forms import AcceptanceForm, MatrixForm, RiskFilterForm, RiskForm
from .heatmap import heatmap
from .models import Risk, RiskMatrix
from .templatetags.risk_tags import level_badge


def matrix_of(request) -> RiskMatrix:
    return request.org.risk_matrix


def get_risk(request, risk_id: int) -> Risk:
    """A risk of the current organization, or 404 (another organization's risk is not found)."""
    risk = get_object_or_404(
        Risk.objects.for_org(request.org).select_related("owner", "source"), pk=risk_id
    )
    risk.organization = request.org  # shares the matrix already loaded with the membership
    return risk


def filtered_register(request):
    """The organization's risks narrowed by the query string, with the filter form."""
    matrix = matrix_of(request)
    form = RiskFilterForm(request.GET, organization=request.org)
    risks = filtered(Risk.objects.for_org(request.org).for_register(), matrix, **form.filters())
    return risks, form


def register_rows(risks, organization, today) -> list[dict]:
    """What the register shows of each risk (rows of :meth:`RiskQuerySet.for_register`),
    worked out in Python; the template only places it. Django's templates look each variable
    up by trying a key, an attribute and a call in turn: the twenty lookups of a row, over
    fifty rows, cost 10 ms, and two includes a row as much again."""
    url = record_urls("risk_detail", organization, "risk_id")
    rows = []
    for risk in risks:
        risk.organization = organization  # its matrix gives the levels: no query
        owner = risk.owner
        rows.append(
            {
                "url": url(risk.pk),
                "ref": risk.ref,
                "title": risk.title,
                "needs_decision": risk.needs_decision(),
                "systems": [system.name for system in risk.listed_systems],
                "category": risk.get_category_display(),
                "owner": (owner.get_full_name() or owner.get_username()) if owner else "",
                "inherent": level_badge(risk.inherent_level(), risk.inherent_score),
                "residual": level_badge(risk.residual_level(), risk.residual_score),
                "treatment": risk.treatment_name(),
                "status": risk.get_status_display(),
                "next_review": risk.next_review.isoformat() if risk.next_review else "",
                "overdue": risk.is_review_overdue(today),
            }
        )
    return rows


def cell_caption(matrix: RiskMatrix, cell: tuple[int, int], *, residual: bool) -> str:
    likelihood, impact = cell

    def named(labels, n):
        return labels[n - 1] if 0 < n <= len(labels) else str(n)

    return (
        f"{'Residual' if residual else 'Inherent'}: likelihood "
        f"{named(matrix.likelihood_labels, likelihood)} × impact {named(matrix.impact_labels, impact)}"
    )


def register_overview(organization, matrix: RiskMatrix) -> dict:
    """The heat maps, the count of risks needing a decision and of all risks: aggregates over
    every risk."""
    risks = Risk.objects.for_org(organization)
    return {
        "inherent_map": heatmap(matrix, risks.open()),
        "residual_map": heatmap(matrix, risks.open(), residual=True),
        "needing_decision": risks.needs_decision(matrix).count(),
        "total": risks.count(),
    }


@org_view()
def risk_list(request):
    matrix = matrix_of(request)
    risks, filters = filtered_register(request)
    overview = cached_for(
        request.org, "risk-overview", lambda: register_overview(request.org, matrix)
    )
    filtered = any(v for k, v in request.GET.items() if k != "page")
    paginator = Paginator(risks, PAGE_SIZE)
    if not filtered:
        paginator.count = overview["total"]  # the whole register: counted with the overview
    page = paginator.get_page(request.GET.get("page"))
    list_url = reverse("risk_list", kwargs={"org": request.org.slug})
    cells = [
        cell_caption(matrix, cell, residual=residual)
        for name, residual in (("inherent_cell", False), ("residual_cell", True))
        if (cell := filters.cell(name))
    ]
    today = timezone.localdate()
    if filtered:
        rows = register_rows(page.object_list, request.org, today)
    else:  # the whole register, a page at a time: its rows read once per version of the data
        rows = cached_for(
            request.org,
            f"risk-rows:{page.number}",
            lambda: register_rows(page.object_list, request.org, today),
        )
    context = {
        "matrix": matrix,
        "page_obj": page,
        "risks": page.object_list,  # read already, unless the rows came from the cache
        "rows": rows,
        "filters": filters,
        "cells": cells,
        "filtered": filtered,
        "querystring": query_without_page(request),
        "list_url": list_url,
        "today": today,
        "maps": cached_for(
            request.org,
            "risk-maps",
            lambda: render_to_string(
                "risk/_register_maps.html", {**overview, "list_url": list_url}
            ),
        ),
        "needing_decision": overview["needing_decision"],
    }
    return render(request, "risk/risk_list.html", context)


@org_view()
def risk_export_csv(request):
    matrix = matrix_of(request)
    risks, _ = filtered_register(request)
    risks = risks.prefetch_related("controls")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="risk-register-{request.org.slug}-{stamp}.csv"'
    )
    writer = safe_csv_writer(response)
    writer.writerow(
        [
            "ID",
            "Title",
            "Description",
            "AI systems",
            "Risk source",
            "Category",
            "Owner",
            "Inherent likelihood",
            "Inherent impact",
            "Inherent score",
            "Inherent level",
            "Residual likelihood",
            "Residual impact",
            "Residual score",
            "Residual level",
            "Above appetite",
            "Needs decision",
            "Treatment",
            "Annex A controls",
            "Treatment plan",
            "Treatment due",
            "Next review",
            "Status",
            "Created",
            "Updated",
        ]
    )

    for risk in with_organization(risks, request.org):
        residual_level = risk.residual_level()
        writer.writerow(
            [
                risk.ref,
                risk.title,
                risk.description,
                "; ".join(s.name for s in risk.listed_systems),
                str(risk.source) if risk.source else "",
                risk.get_category_display(),
                (risk.owner.get_full_name() or risk.owner.get_username()) if risk.owner else "",
                matrix.likelihood_label(risk.inherent_likelihood),
                matrix.impact_label(risk.inherent_impact),
                risk.inherent_score,
                risk.inherent_level().label,
                matrix.likelihood_label(risk.residual_likelihood),
                matrix.impact_label(risk.residual_impact),
                risk.residual_score,
                residual_level.label if residual_level else "",
                "Yes" if risk.is_above_appetite() else "No",
                "Yes" if risk.needs_decision() else "No",
                risk.get_treatment_display(),
                "; ".join(str(c) for c in risk.controls.all()),
                risk.treatment_plan,
                risk.treatment_due,
                risk.next_review,
                risk.get_status_display(),
                risk.created_at.date(),
                risk.updated_at.date(),
            ]
        )
    return response


SCORED = ("inherent", "residual")  # the assessments a risk's form scores


def score_previews(matrix: RiskMatrix, values) -> dict[str, dict]:
    """For each assessment, the score and level of the likelihood and impact chosen so far
    (``values``: the form's, or an htmx request's query string), by the matrix's bands."""
    previews = {}
    for part in SCORED:
        chosen = {}
        for axis, top in (
            ("likelihood", matrix.likelihood_levels),
            ("impact", matrix.impact_levels),
        ):
            value = str(values.get(f"{part}_{axis}") or "")
            chosen[axis] = int(value) if value.isdigit() and 1 <= int(value) <= top else None
        score = (
            chosen["likelihood"] * chosen["impact"]
            if None not in (chosen["likelihood"], chosen["impact"])
            else None
        )
        previews[part] = {
            "part": part,
            "likelihood": matrix.likelihood_label(chosen["likelihood"]),
            "impact": matrix.impact_label(chosen["impact"]),
            "score": score,
            "level": matrix.level_for(score),
            "above_appetite": matrix.is_above_appetite(score),
        }
    return previews


def risk_form_page(request, risk: Risk):
    matrix = matrix_of(request)
    part = request.GET.get("part")
    if request.headers.get("HX-Request") and request.method == "GET" and part in SCORED:
        # The live score preview: only its region, for the values chosen so far.
        context = {"preview": score_previews(matrix, request.GET)[part], "matrix": matrix}
        return render(request, "risk/_score_preview.html", context)
    form = RiskForm(
        request.POST if request.method == "POST" else None,
        instance=risk,
        organization=request.org,
        matrix=matrix,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        try:
            services.save_risk(
                changed,
                actor=request.user,
                systems=list(form.cleaned_data["systems"]),
                controls=list(form.cleaned_data["controls"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Risk {changed.ref} saved.")
            return redirect("risk_detail", org=request.org.slug, risk_id=changed.pk)
    status = 422 if request.method == "POST" else 200
    values = {
        name: form[name].value()
        for name in form.fields
        if name.endswith(("_likelihood", "_impact"))
    }
    context = {
        "form": form,
        "risk": risk,
        "matrix": matrix,
        "previews": score_previews(matrix, values),
    }
    return render(request, "risk/risk_form.html", context, status=status)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def risk_create(request):
    return risk_form_page(request, Risk(organization=request.org))


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def risk_edit(request, risk_id: int):
    return risk_form_page(request, get_risk(request, risk_id))


def assessment_of(risk: Risk, matrix: RiskMatrix) -> list[dict]:
    """Inherent and residual assessment, with the matrix labels, for display."""
    rows = [
        {
            "name": "Inherent",
            "likelihood": matrix.likelihood_label(risk.inherent_likelihood),
            "impact": matrix.impact_label(risk.inherent_impact),
            "score": risk.inherent_score,
            "level": risk.inherent_level(),
        }
    ]
    rows.append(
        {
            "name": "Residual",
            "likelihood": matrix.likelihood_label(risk.residual_likelihood),
            "impact": matrix.impact_label(risk.residual_impact),
            "score": risk.residual_score,
            "level": risk.residual_level(),
        }
    )
    return rows


@org_view()
def risk_detail(request, risk_id: int):
    risk = get_risk(request, risk_id)
    matrix = risk.matrix
    acceptances = list(risk.acceptances.select_related("decided_by"))
    current_acceptance = risk.current_acceptance()
    for acceptance in [*acceptances, current_acceptance]:
        if acceptance is not None:
            acceptance.self_accepted = services.was_self_accepted(acceptance)
            # The table says "Self-accepted" beside the role, rather than the whole sentence.
            acceptance.role = acceptance.authority.removesuffix(f"; {services.SELF_ACCEPTANCE}")
    context = {
        "risk": risk,
        "matrix": matrix,
        "systems": risk.systems.all(),
        "controls": risk.controls.all(),
        "acceptances": acceptances,
        "current_acceptance": current_acceptance,
        "soa_entries": risk.soa_entries.select_related("control", "additional_control"),
        "evidence": risk.evidence.all(),
        "assessment": assessment_of(risk, matrix),
        "events": AuditEvent.objects.for_record(risk)[:20],
        "sections": page_sections("risk_page", risk, request),
        "can_decide": request.membership.can(Access.DECIDE),
        "deletion_blockers": services.deletion_blockers(risk)
        if request.membership.can(Access.MANAGE)
        else [],
        "today": timezone.localdate(),
    }
    return render(request, "risk/risk_detail.html", context)


@org_view(Access.DECIDE)
@require_POST
def risk_plan_approve(request, risk_id: int):
    risk = get_risk(request, risk_id)
    try:
        services.approve_treatment_plan(risk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The treatment plan of {risk.ref} is approved.")
    return redirect("risk_detail", org=request.org.slug, risk_id=risk.pk)


@org_view(Access.CONTRIBUTE)
@require_POST
def risk_plan_propose(request, risk_id: int):
    risk = get_risk(request, risk_id)
    reason = request.POST.get("reason", "").strip()[:10_000]
    try:
        services.propose_plan_approval(risk, actor=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Asked for the approval of the treatment plan of {risk.ref}: an Owner, an AIMS "
            "Manager or top management approves or refuses it.",
        )
    return redirect("risk_detail", org=request.org.slug, risk_id=risk.pk)


@org_view(Access.DECIDE)
@require_http_methods(["GET", "POST"])
def risk_accept(request, risk_id: int):
    risk = get_risk(request, risk_id)
    form = AcceptanceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_risk(
                risk,
                actor=request.user,
                rationale=form.cleaned_data["rationale"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Acceptance of {risk.ref} recorded.")
            return redirect("risk_detail", org=request.org.slug, risk_id=risk.pk)
    context = {
        "risk": risk,
        "matrix": risk.matrix,
        "assessment": assessment_of(risk, risk.matrix),
        "form": form,
        "current_acceptance": risk.current_acceptance(),
        "self_acceptance": services.is_self_acceptance(risk, request.user),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "risk/risk_accept.html", context, status=status)


@org_view(Access.MANAGE)
@require_POST
def risk_delete(request, risk_id: int):
    risk = get_risk(request, risk_id)
    label = str(risk)
    try:
        services.delete_risk(risk, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("risk_detail", org=request.org.slug, risk_id=risk.pk)
    messages.success(request, f"Risk {label} deleted. The audit trail keeps its record.")
    return redirect("risk_list", org=request.org.slug)


def matrix_context(matrix: RiskMatrix) -> dict:
    return {"matrix": matrix, "grid": heatmap(matrix, Risk.objects.none())}


@org_view()
def risk_matrix(request):
    matrix = matrix_of(request)
    risks = Risk.objects.for_org(request.org).open()
    context = matrix_context(matrix) | {
        "open_count": risks.count(),
        "above_count": risks.above_appetite(matrix).count(),
    }
    return render(request, "risk/risk_matrix.html", context)


@org_view(Access.OWN)
@require_http_methods(["GET", "POST"])
def risk_matrix_edit(request):
    matrix = RiskMatrix.objects.get(organization=request.org)
    form = MatrixForm.for_matrix(matrix, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_matrix(form.apply_to(matrix), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Risk matrix saved. Every risk now shows its level under the new matrix."
            )
            return redirect("risk_matrix", org=request.org.slug)
    context = matrix_context(RiskMatrix.objects.get(organization=request.org)) | {
        "form": form,
        "risk_count": Risk.objects.for_org(request.org).count(),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "risk/risk_matrix_edit.html", context, status=status)
