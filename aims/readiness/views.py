"""Pages of readiness assessments: the list, an assessment and its items, its summary, its
report, and two assessments side by side. The roadmap and the checklist are in
``roadmap_views.py``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import person_label
from aims.core.pages import act, confirm_delete, csv_download, form_page, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.core.reports import report
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import services, signals
from .charts import readiness_chart
from .forms import AssessmentFilterForm, AssessmentForm, CompareForm, ItemForm
from .models import (
    LEVEL_DESCRIPTIONS,
    Assessment,
    AssessmentItem,
    Decision,
    Kind,
    Maturity,
    RoadmapAction,
)
from .results import compare, group_titles, items_of, results

GAPS_SHOWN = 10  # the gaps a summary lists, most risk first
REPORT_CHART_WIDTH = 320  # two charts side by side on an A4 page


def get_assessment(request, assessment_id: int) -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.for_org(request.org).select_related(
            "assessor", "created_by", "completed_by"
        ),
        pk=assessment_id,
    )
    assessment.organization = request.org
    return assessment


def get_item(request, assessment: Assessment, item_id: int) -> AssessmentItem:
    item = get_object_or_404(
        assessment.items.select_related("clause", "control__objective__parent"), pk=item_id
    )
    item.assessment = assessment
    return item


def scale() -> list[tuple[Maturity, str]]:
    return [(level, LEVEL_DESCRIPTIONS[level.value]) for level in Maturity]


# --- The list ---------------------------------------------------------------------------------


def filtered_assessments(request):
    form = AssessmentFilterForm(request.GET)
    found = (
        Assessment.objects.for_org(request.org)
        .filtered(**form.filters())
        .select_related("assessor")
        .annotate(
            mean=Avg("items__level", filter=~Q(items__decision=Decision.PENDING)),
            item_count=Count("items"),
            pending=Count("items", filter=Q(items__decision=Decision.PENDING)),
        )
        .order_by("-assessed_on", "-pk")
    )
    return found, form


def _percent(mean) -> int | None:
    return None if mean is None else round(100 * mean / max(Maturity.values))


@org_view()
def readiness_list(request):
    assessments, filters = filtered_assessments(request)
    page = paginate(request, assessments)
    rows = list(page.object_list)
    for assessment in rows:
        assessment.organization = request.org
        assessment.percent = _percent(assessment.mean)
    latest = Assessment.objects.latest_completed(request.org)
    latest_results = None
    if latest is not None:
        latest.organization = request.org
        latest_results = results(latest)
    every = Assessment.objects.for_org(request.org)
    context = {
        "page_obj": page,
        "assessments": rows,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": reverse("readiness_list", kwargs={"org": request.org.slug}),
        "latest": latest,
        "latest_results": latest_results,
        "draft": every.drafts().first(),
        "completed_count": every.completed().count(),
        "open_actions": RoadmapAction.objects.for_org(request.org).open().count(),
        "scale": scale(),
    }
    return render(request, "readiness/assessment_list.html", context)


@org_view()
def readiness_export_csv(request):
    assessments, _ = filtered_assessments(request)
    response, writer = csv_download("readiness-assessments", request.org)
    writer.writerow(
        [
            "Number",
            "Title",
            "Assessment date",
            "Assessor",
            "Status",
            "Items",
            "Still to decide",
            "Mean level",
            "Readiness (% of level 5)",
            "Completed at",
        ]
    )
    for assessment in assessments:
        writer.writerow(
            [
                assessment.pk,
                assessment.title,
                assessment.assessed_on,
                person_label(assessment.assessor) if assessment.assessor else "",
                assessment.get_status_display(),
                assessment.item_count,
                assessment.pending,
                "" if assessment.mean is None else f"{assessment.mean:.2f}",
                "" if assessment.mean is None else _percent(assessment.mean),
                assessment.completed_at.isoformat(timespec="minutes")
                if assessment.completed_at
                else "",
            ]
        )
    return response


# --- One assessment ---------------------------------------------------------------------------


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def readiness_create(request):
    assessment = Assessment(organization=request.org)
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment,
        organization=request.org,
        initial={"assessor": request.user, "assessed_on": timezone.localdate()},
    )
    waiting = Assessment.objects.for_org(request.org).drafts().first()

    def save(form):
        changed = form.save(commit=False)
        services.start_assessment(changed, actor=request.user)
        changed.organization = request.org
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="readiness/assessment_form.html",
        saved=lambda changed: (
            f"Assessment “{changed.title}” started: each item carries the level the records "
            "suggest. Confirm or override them."
        ),
        context={"assessment": assessment, "waiting": waiting, "scale": scale()},
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def readiness_edit(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    if not assessment.is_draft:
        messages.error(request, f"“{assessment.title}” is completed: it no longer changes.")
        return redirect(assessment.get_absolute_url())
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        instance=assessment,
        organization=request.org,
    )

    def save(form):
        changed = form.save(commit=False)
        services.save_assessment(changed, actor=request.user)
        return changed

    return form_page(
        request,
        form,
        save=save,
        template="readiness/assessment_form.html",
        saved=lambda changed: f"Assessment “{changed.title}” saved.",
        context={"assessment": assessment, "scale": scale()},
    )


SHOW = {
    "pending": ("Still to decide", lambda item: not item.is_decided),
    "gaps": ("Gaps (below level 3)", lambda item: item.is_gap),
    "overridden": ("Set by the assessor", lambda item: item.decision == Decision.OVERRIDDEN),
}


@org_view()
def readiness_detail(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    items = items_of(assessment)
    found = results(assessment, items=items)
    show = request.GET.get("show", "")
    shown = [i for i in items if SHOW[show][1](i)] if show in SHOW else items
    for item in shown:
        item.source = signals.source_url(request.org, item.ref) if item.kind == Kind.CLAUSE else ""
    titles = {g.ref: g for g in found.groups}
    sections = []
    for item in shown:
        if not sections or sections[-1][0] != item.group:
            sections.append((item.group, titles.get(item.group), []))
        sections[-1][2].append(item)
    context = {
        "assessment": assessment,
        "results": found,
        "sections": sections,
        "show": show if show in SHOW else "",
        "show_choices": [(key, label) for key, (label, _) in SHOW.items()],
        "pending_count": found.pending,
        "actions": list(
            RoadmapAction.objects.filter(assessment=assessment).select_related("owner")[:50]
        ),
        "scale": scale(),
        "events": AuditEvent.objects.for_record(assessment)[:20],
    }
    for action in context["actions"]:
        action.organization = request.org
    return render(request, "readiness/assessment_detail.html", context)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def readiness_delete(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return confirm_delete(
        request,
        assessment,
        delete=services.delete_assessment,
        what="assessment",
        back=assessment.get_absolute_url(),
        done=reverse("readiness_list", kwargs={"org": request.org.slug}),
        consequence="Its items and their ratings go with it. Only a draft is deleted.",
    )


def _back(assessment: Assessment, anchor: str = "") -> str:
    return assessment.get_absolute_url() + (f"#{anchor}" if anchor else "")


@org_view(Access.MANAGE)
@require_POST
def readiness_accept(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    try:
        count = services.accept_proposals(assessment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{count} proposal{'s' if count != 1 else ''} confirmed."
            if count
            else "Nothing was left to confirm.",
        )
    return redirect(_back(assessment))


@org_view(Access.MANAGE)
@require_POST
def readiness_refresh(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    try:
        count = services.refresh_proposals(assessment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"The records were read again: {count} proposal{'s' if count != 1 else ''} "
            "changed. Levels already decided stay as they were.",
        )
    return redirect(_back(assessment))


@org_view(Access.MANAGE)
@require_POST
def readiness_complete(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return act(
        request,
        lambda: services.complete(assessment, actor=request.user),
        f"Assessment “{assessment.title}” completed. Its summary is ready for top management.",
        back=_back(assessment),
        to=lambda done: reverse(
            "readiness_summary", kwargs={"org": request.org.slug, "assessment_id": done.pk}
        ),
    )


@org_view()
def readiness_items_csv(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    found = results(assessment)
    gaps = {gap.item.pk: gap for gap in found.gaps}
    response, writer = csv_download(f"readiness-{assessment.pk}", request.org)
    writer.writerow(
        [
            "Requirement",
            "Title",
            "Kind",
            "Group",
            "Proposed level",
            "Why proposed",
            "Level",
            "Decision",
            "Note",
            "Evidence",
            "Open risks left (weight)",
        ]
    )
    for item in found.items:
        gap = gaps.get(item.pk)
        writer.writerow(
            [
                item.ref,
                item.title,
                item.get_kind_display(),
                item.group,
                "" if item.proposed_level is None else item.proposed_level,
                item.proposal_reason,
                "" if item.level is None else item.level,
                item.get_decision_display(),
                item.note,
                "; ".join(e.title for e in item.evidence.all()),
                "" if gap is None else gap.weight,
            ]
        )
    return response


# --- One item ---------------------------------------------------------------------------------


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def readiness_item(request, assessment_id: int, item_id: int):
    assessment = get_assessment(request, assessment_id)
    item = get_item(request, assessment, item_id)
    if not assessment.is_draft:
        messages.error(request, f"“{assessment.title}” is completed: it no longer changes.")
        return redirect(_back(assessment, f"item-{item.pk}"))
    form = ItemForm(
        request.POST if request.method == "POST" else None,
        instance=item,
        organization=request.org,
        initial={"evidence": list(item.evidence.all())},
    )

    def save(form):
        data = form.cleaned_data
        return services.rate_item(
            item,
            actor=request.user,
            level=data["level"],
            note=data["note"],
            evidence=list(data["evidence"]),
        )

    return form_page(
        request,
        form,
        save=save,
        template="readiness/item_form.html",
        saved=lambda _: f"{item.ref} rated.",
        context={
            "assessment": assessment,
            "item": item,
            "levels": list(zip(form["level"], LEVEL_DESCRIPTIONS.values(), strict=True)),
            "source": signals.source_url(request.org, item.ref) if item.kind == Kind.CLAUSE else "",
        },
    )


@org_view(Access.MANAGE)
@require_POST
def readiness_item_confirm(request, assessment_id: int, item_id: int):
    assessment = get_assessment(request, assessment_id)
    item = get_item(request, assessment, item_id)
    return act(
        request,
        lambda: services.confirm_item(item, actor=request.user),
        f"{item.ref}: {item.proposed_label()} confirmed.",
        back=_back(assessment, f"item-{item.pk}"),
    )


# --- Summary, report, comparison --------------------------------------------------------------


def previous_of(assessment: Assessment) -> Assessment | None:
    """The completed assessment before this one, for "since last time"."""
    found = (
        Assessment.objects.for_org(assessment.organization)
        .completed()
        .exclude(pk=assessment.pk)
        .filter(
            Q(assessed_on__lt=assessment.assessed_on)
            | Q(assessed_on=assessment.assessed_on, pk__lt=assessment.pk)
        )
        .order_by("-assessed_on", "-pk")
        .first()
    )
    if found is not None:
        found.organization = assessment.organization
    return found


def summary_context(request, assessment: Assessment) -> dict:
    titles = group_titles()
    found = results(assessment, titles=titles)
    previous = previous_of(assessment)
    earlier = results(previous, titles=titles) if previous is not None else None
    before = {g.ref: g.percent for g in earlier.groups} if earlier else None
    actions = list(
        RoadmapAction.objects.for_org(request.org)
        .filter(Q(assessment=assessment) | Q(status="open"))
        .select_related("owner", "item__clause", "item__control")
        .order_by("status", "due_date", "pk")[:12]
    )
    for action in actions:
        action.organization = request.org
    return {
        "assessment": assessment,
        "results": found,
        "previous": previous,
        "earlier": earlier,
        "change": (found.percent - earlier.percent)
        if earlier and found.percent is not None and earlier.percent is not None
        else None,
        "clause_chart": readiness_chart(
            found.clauses, title="Readiness by clause (% of level 5)", before=before
        ),
        "objective_chart": readiness_chart(
            found.objectives, title="Readiness by Annex A objective (% of level 5)", before=before
        ),
        "before_map": before,
        "gaps": found.gaps[:GAPS_SHOWN],
        "more_gaps": max(len(found.gaps) - GAPS_SHOWN, 0),
        "strengths": found.strengths,
        "actions": actions,
        "scale": scale(),
    }


@org_view()
def readiness_summary(request, assessment_id: int):
    assessment = get_assessment(request, assessment_id)
    return render(request, "readiness/summary.html", summary_context(request, assessment))


def _report(request, assessment_id: int, *, as_pdf: bool):
    assessment = get_assessment(request, assessment_id)
    context = summary_context(request, assessment)
    context["title"] = f"Readiness summary: {assessment.title}"
    # Side by side on the page: two narrower charts.
    found, before = context["results"], context["before_map"]
    context["clause_chart"] = readiness_chart(
        found.clauses, title="By clause (% of level 5)", before=before, width=REPORT_CHART_WIDTH
    )
    context["objective_chart"] = readiness_chart(
        found.objectives,
        title="By Annex A objective",
        before=before,
        width=REPORT_CHART_WIDTH,
    )
    return report(
        request, "readiness/report.html", context, name="readiness-summary", as_pdf=as_pdf
    )


@org_view()
def readiness_report(request, assessment_id: int):
    return _report(request, assessment_id, as_pdf=False)


@org_view()
def readiness_report_pdf(request, assessment_id: int):
    return _report(request, assessment_id, as_pdf=True)


@org_view()
def readiness_compare(request):
    every = Assessment.objects.for_org(request.org).order_by("-assessed_on", "-pk")
    latest_two = list(every[:2])
    initial = {}
    if len(latest_two) == 2:
        initial = {"before": latest_two[1], "after": latest_two[0]}
    data = request.GET if request.GET.get("before") or request.GET.get("after") else None
    form = CompareForm(data, organization=request.org, initial=initial)
    comparison = None
    if data is not None and form.is_valid():
        before, after = form.cleaned_data["before"], form.cleaned_data["after"]
    elif data is None and initial:
        before, after = initial["before"], initial["after"]
    else:
        before = after = None
    if before is not None and after is not None:
        if (before.assessed_on, before.pk) > (after.assessed_on, after.pk):
            before, after = after, before
        before.organization = after.organization = request.org
        comparison = compare(before, after)
        before_map = {g.ref: g.percent for g in comparison.before.groups}
        comparison.clause_chart = readiness_chart(
            comparison.after.clauses, title="Readiness by clause, then and now", before=before_map
        )
        comparison.objective_chart = readiness_chart(
            comparison.after.objectives,
            title="Readiness by Annex A objective, then and now",
            before=before_map,
        )
    status = 422 if data is not None and not form.is_valid() else 200
    return render(
        request,
        "readiness/compare.html",
        {"form": form, "comparison": comparison, "count": len(latest_two)},
        status=status,
    )
