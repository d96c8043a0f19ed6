"""The ISO/IEC 42001 catalog as reference pages, with where the organization stands on each item."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from aims.core.areas import hooks, page_sections
from aims.core.pages import record_urls
from aims.organizations.access import org_view

from .models import AIObjective, Clause, Control, ControlObjective, RiskSource


def _tree(items):
    """Nest catalog items by ``parent_id``: a list of (item, children) pairs, in order."""
    children: dict = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)

    def build(parent_id):
        return [(item, build(item.pk)) for item in children.get(parent_id, [])]

    return build(None)


@org_view()
def catalog_index(request):
    clauses = Clause.objects.order_by("position")
    objectives = ControlObjective.objects.order_by("position").prefetch_related(
        Prefetch("controls", queryset=Control.objects.order_by("position"))
    )
    statuses = [status_of(request.org) for status_of in hooks("control_status")]
    objectives = list(objectives)
    control_url = record_urls("catalog_control", request.org, "ref")
    for objective in objectives:
        for control in objective.controls.all():
            control.statuses = [found[control.pk] for found in statuses if control.pk in found]
            control.page_url = control_url(control.ref)
    objective_tree = _tree(objectives)
    clauses = list(clauses)
    clause_url = record_urls("catalog_clause", request.org, "ref")
    for clause in clauses:
        clause.page_url = clause_url(clause.ref)
    return render(
        request,
        "catalog/index.html",
        {
            "clause_tree": _tree(clauses),
            "objective_tree": objective_tree,
            "ai_objectives": AIObjective.objects.order_by("position"),
            "risk_sources": RiskSource.objects.order_by("position"),
        },
    )


@org_view()
def catalog_clause(request, ref):
    clause = get_object_or_404(Clause.objects.select_related("parent"), ref=ref)
    return render(
        request,
        "catalog/clause.html",
        {
            "clause": clause,
            "ancestors": _ancestors(clause),
            "children": clause.children.order_by("position"),
            "sections": page_sections("clause_page", clause, request),
        },
    )


def _ancestors(item) -> list:
    chain = []
    parent = item.parent
    while parent is not None:
        chain.insert(0, parent)
        parent = parent.parent
    return chain


@org_view()
def catalog_control(request, ref):
    control = get_object_or_404(Control.objects.select_related("objective__parent"), ref=ref)
    return render(
        request,
        "catalog/control.html",
        {"control": control, "sections": page_sections("control_page", control, request)},
    )
