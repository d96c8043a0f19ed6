"""Statement of Applicability pages: the list of 38 controls, one decision, and the exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from aims.catalog.models import ControlObjective
from aims.core.forms import add_service_errors
from aims.evidence.models import Evidence
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.models import AuditEvent

from . import export as soa_export
from .forms import SoAEntryForm
from .models import Applicability, Implementation, SoAEntry
from .services import update_entry


@dataclass
class Section:
    """A heading of the list: a control objective, with its entries (none for A.6 itself)."""

    objective: ControlObjective
    is_sub: bool = False
    entries: list = field(default_factory=list)


def _sections(entries) -> list[Section]:
    sections: list[Section] = []
    seen: set[int] = set()
    for entry in entries:
        objective = entry.control.objective
        parent = objective.parent
        if parent is not None and parent.pk not in seen:
            seen.add(parent.pk)
            sections.append(Section(parent))
        if objective.pk not in seen:
            seen.add(objective.pk)
            sections.append(Section(objective, is_sub=parent is not None))
        sections[-1].entries.append(entry)
    return sections


def _summary(entries: list[SoAEntry]) -> dict:
    """Decided, applicable, flagged and per-status counts of all entries (a bounded list)."""
    applicable = [e for e in entries if e.applicability == Applicability.APPLICABLE]
    undecided = sum(e.applicability == Applicability.UNDECIDED for e in entries)
    return {
        "total": len(entries),
        "undecided": undecided,
        "decided": len(entries) - undecided,
        "applicable": len(applicable),
        "excluded": sum(e.applicability == Applicability.EXCLUDED for e in entries),
        "flagged": sum(bool(e.flags()) for e in entries),
        "by_status": [
            (status, sum(e.status == status for e in applicable)) for status in Implementation
        ],
    }


def _matches(entry: SoAEntry, f: dict) -> bool:
    control = entry.control
    objective = control.objective
    return (
        (
            not f["objective"]
            or f["objective"] in (objective.ref, getattr(objective.parent, "ref", None))
        )
        and (
            f["applicability"] not in Applicability.values
            or entry.applicability == f["applicability"]
        )
        and (f["status"] not in Implementation.values or entry.status == f["status"])
        and (not f["flagged"] or bool(entry.flags()))
        and (not f["q"] or f["q"].lower() in f"{control.ref} {control.title}".lower())
    )


@org_view()
def soa_list(request):
    # One entry per Annex A control: a bounded list, so filters and counts run in Python on
    # the entries and their evidence statistics, in a fixed number of queries.
    entries = (
        SoAEntry.objects.for_org(request.org)
        .select_related("control__objective__parent", "owner")
        .with_evidence_stats()
    )
    f = {
        "objective": request.GET.get("objective", ""),
        "applicability": request.GET.get("applicability", ""),
        "status": request.GET.get("status", ""),
        "flagged": request.GET.get("flagged") == "1",
        "q": request.GET.get("q", "").strip(),
    }
    shown = [entry for entry in entries if _matches(entry, f)]
    objectives = ControlObjective.objects.filter(
        controls__soa_entries__organization=request.org
    ).distinct()
    return render(
        request,
        "soa/soa_list.html",
        {
            "sections": _sections(shown),
            "shown": len(shown),
            "summary": _summary(entries),
            "filtering": bool(
                f["objective"] or f["applicability"] or f["status"] or f["flagged"] or f["q"]
            ),
            "objectives": objectives,
            "applicability_choices": Applicability.choices,
            "status_choices": Implementation.choices,
            "f": f,
        },
    )


def _entry(request, entry_id: int) -> SoAEntry:
    return get_object_or_404(
        SoAEntry.objects.for_org(request.org)
        .with_evidence_flags()
        .select_related("control__objective__parent", "owner"),
        pk=entry_id,
    )


@org_view()
def soa_detail(request, entry_id: int):
    entry = _entry(request, entry_id)
    today = timezone.localdate()
    evidence = list(
        Evidence.objects.filter(soa_entries=entry)
        .select_related("created_by")
        .order_by("-effective_from", "-pk")
    )
    for item in evidence:
        item.state_now = item.state(today)
    return render(
        request,
        "soa/soa_detail.html",
        {
            "entry": entry,
            "control": entry.control,
            "risks": entry.risks.order_by("ref"),
            "evidence": evidence,
            "events": AuditEvent.objects.for_record(entry)[:20],
        },
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def soa_edit(request, entry_id: int):
    entry = _entry(request, entry_id)
    form = SoAEntryForm(request.POST or None, instance=entry, organization=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            update_entry(form.instance, actor=request.user, risks=list(form.cleaned_data["risks"]))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the decision on {entry.control.ref}.")
            return redirect("soa_detail", org=request.org.slug, entry_id=entry.pk)
    return render(request, "soa/soa_form.html", {"entry": entry, "form": form})


def _filename(request, extension: str) -> str:
    return f"soa-{slugify(request.org.slug)}-{timezone.localdate():%Y-%m-%d}.{extension}"


@org_view()
def soa_export_csv(request):
    data = soa_export.build_export(request.org)
    response = HttpResponse(
        # A byte order mark so spreadsheet programs read the UTF-8 correctly.
        "\ufeff" + soa_export.to_csv(data),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, "csv")}"'
    return response


@org_view()
def soa_export_xlsx(request):
    data = soa_export.build_export(request.org)
    response = HttpResponse(
        soa_export.to_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, "xlsx")}"'
    return response
