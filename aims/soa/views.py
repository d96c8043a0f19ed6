"""Statement of Applicability pages: the list of 38 controls, one decision, and the exports."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from aims.audit.models import AuditEvent
from aims.catalog.models import ControlObjective
from aims.core.access import org_view
from aims.core.forms import add_service_errors
from aims.evidence.models import Evidence
from aims.organizations.models import Access

from . import export as soa_export
from .forms import SoAEntryForm
from .models import Applicability, Implementation, SoAEntry
from .services import update_entry

FLAGGED = (~Q(applicability=Applicability.UNDECIDED) & Q(justification="")) | Q(
    applicability=Applicability.APPLICABLE,
    status=Implementation.IMPLEMENTED,
    has_current_evidence=False,
)


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


def _summary(base) -> dict:
    counts = base.aggregate(
        total=Count("pk"),
        undecided=Count("pk", filter=Q(applicability=Applicability.UNDECIDED)),
        applicable=Count("pk", filter=Q(applicability=Applicability.APPLICABLE)),
        excluded=Count("pk", filter=Q(applicability=Applicability.EXCLUDED)),
        flagged=Count("pk", filter=FLAGGED),
        **{
            f"status_{status.value}": Count(
                "pk", filter=Q(applicability=Applicability.APPLICABLE, status=status)
            )
            for status in Implementation
        },
    )
    counts["decided"] = counts["total"] - counts["undecided"]
    counts["by_status"] = [(status, counts[f"status_{status.value}"]) for status in Implementation]
    return counts


@org_view()
def soa_list(request):
    base = SoAEntry.objects.for_org(request.org).with_evidence_flags()
    entries = base.select_related("control__objective__parent", "owner").annotate(
        evidence_count=Count("evidence", distinct=True)
    )

    objective = request.GET.get("objective", "")
    applicability = request.GET.get("applicability", "")
    status = request.GET.get("status", "")
    flagged = request.GET.get("flagged") == "1"
    q = request.GET.get("q", "").strip()
    if objective:
        entries = entries.filter(
            Q(control__objective__ref=objective) | Q(control__objective__parent__ref=objective)
        )
    if applicability in Applicability.values:
        entries = entries.filter(applicability=applicability)
    if status in Implementation.values:
        entries = entries.filter(status=status)
    if flagged:
        entries = entries.filter(FLAGGED)
    if q:
        entries = entries.filter(Q(control__ref__icontains=q) | Q(control__title__icontains=q))

    entries = list(entries)
    filtering = bool(objective or applicability or status or flagged or q)
    objectives = ControlObjective.objects.filter(
        controls__soa_entries__organization=request.org
    ).distinct()
    return render(
        request,
        "soa/soa_list.html",
        {
            "sections": _sections(entries),
            "shown": len(entries),
            "summary": _summary(base),
            "filtering": filtering,
            "objectives": objectives,
            "applicability_choices": Applicability.choices,
            "status_choices": Implementation.choices,
            "f": {
                "objective": objective,
                "applicability": applicability,
                "status": status,
                "flagged": flagged,
                "q": q,
            },
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
