"""The ISO/IEC 42001 catalog as reference pages, with where the organization stands on each item."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from aims.core.access import org_view
from aims.evidence.models import Evidence
from aims.risk.models import Risk
from aims.soa.models import SoAEntry

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
    soa = {
        entry.control_id: entry
        for entry in SoAEntry.objects.filter(organization=request.org).only(
            "pk", "control_id", "applicability", "status"
        )
    }
    objectives = list(objectives)
    for objective in objectives:
        for control in objective.controls.all():
            control.soa_entry = soa.get(control.pk)
    objective_tree = _tree(objectives)
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
    evidence = (
        Evidence.objects.filter(organization=request.org, clauses=clause)
        .order_by("-effective_from", "-pk")
        .distinct()
    )
    return render(
        request,
        "catalog/clause.html",
        {
            "clause": clause,
            "ancestors": _ancestors(clause),
            "children": clause.children.order_by("position"),
            "evidence": evidence,
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
    entry = (
        SoAEntry.objects.filter(organization=request.org, control=control)
        .select_related("owner")
        .first()
    )
    risks = (
        Risk.objects.filter(organization=request.org, controls=control)
        .with_scores()
        .select_related("owner")
        .order_by("ref")
    )
    risks = list(risks)
    for risk in risks:
        risk.organization = request.org  # level() reads the matrix already loaded
    evidence = (
        Evidence.objects.filter(organization=request.org, soa_entries=entry).order_by(
            "-effective_from", "-pk"
        )
        if entry
        else Evidence.objects.none()
    )
    return render(
        request,
        "catalog/control.html",
        {"control": control, "entry": entry, "risks": risks, "evidence": evidence},
    )
