"""Statement of Applicability pages: the list of controls, one decision, the additional
controls (add, change, remove) and the exports."""

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
from aims.core.areas import control_records
from aims.core.errors import Refused
from aims.core.forms import add_service_errors
from aims.core.pages import record_urls
from aims.evidence.models import Evidence
from aims.organizations.access import org_view
from aims.organizations.models import Access
from aims.trail.cache import cached_for
from aims.trail.models import AuditEvent

from . import export as soa_export
from . import services
from .forms import AdditionalControlForm, SoAEntryForm, SoAFilterForm
from .models import AdditionalControl, Applicability, Implementation, SoAEntry


@dataclass
class Section:
    """A heading of the list: a control objective with its entries (none for A.6 itself), or
    the additional controls (``objective`` None)."""

    objective: ControlObjective | None
    is_sub: bool = False
    entries: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        if self.objective is None:
            return "Additional controls, from other sources (6.1.3 c)"
        return f"{self.objective.ref} {self.objective.title}"


def _sections(entries) -> list[Section]:
    sections: list[Section] = []
    seen: set[int] = set()
    additional = Section(None)
    for entry in entries:
        if entry.is_additional:
            additional.entries.append(entry)
            continue
        objective = entry.control.objective
        parent = objective.parent
        if parent is not None and parent.pk not in seen:
            seen.add(parent.pk)
            sections.append(Section(parent))
        if objective.pk not in seen:
            seen.add(objective.pk)
            sections.append(Section(objective, is_sub=parent is not None))
        sections[-1].entries.append(entry)
    if additional.entries:
        sections.append(additional)
    return sections


def overview(organization, *, cached: bool = True) -> dict:
    """The SoA's tally, each entry's evidence figures and flags, and the objectives it has (the
    list's sections). The figures read every piece of evidence linked to the SoA, so they grow
    with the evidence: cached per version of the organization's data (aims/trail/cache.py),
    they keep the page's time flat with size."""
    entries = SoAEntry.objects.for_org(organization)

    def compute() -> dict:
        return {
            "summary": entries.tally(),
            "figures": entries.figures(),
            "objectives": SoAFilterForm({}, entries=entries).objective_choices(),
        }

    return cached_for(organization, "soa-overview", compute) if cached else compute()


@org_view()
def soa_list(request):
    entries = SoAEntry.objects.for_org(request.org)
    form = SoAFilterForm(request.GET, entries=entries)
    filters = form.filters()
    found = overview(request.org)
    shown = list(entries.filtered(**{**filters, "flagged": None}).for_page())
    if not {entry.pk for entry in shown} <= found["figures"].keys():
        # Entries made outside the audit trail (a catalog load adds its new controls' entries)
        # leave the version as it was: read the figures afresh.
        found = overview(request.org, cached=False)
    url = record_urls("soa_detail", request.org, "entry_id")
    for entry in shown:
        entry.organization = request.org
        entry.set_figures(found["figures"][entry.pk])
        entry.page_url = url(entry.pk)  # reversed once for the list
    if filters["flagged"]:  # what filtered(flagged=True) keeps, read from the same figures
        shown = [entry for entry in shown if entry.flags()]
    return render(
        request,
        "soa/soa_list.html",
        {
            "sections": _sections(shown),
            "shown": len(shown),
            "summary": found["summary"],
            "filtering": any(value is not None for value in filters.values()),
            "objective_choices": found["objectives"],
            "applicability_choices": Applicability.choices,
            "status_choices": Implementation.choices,
            "f": filters,
        },
    )


def _entry(request, entry_id: int) -> SoAEntry:
    return get_object_or_404(SoAEntry.objects.for_org(request.org).for_list(), pk=entry_id)


def addressed_by(entry: SoAEntry) -> list[tuple[str, list]]:
    """The current records of other areas that address the entry's control, by kind."""
    if entry.control_id is None:
        return []
    found = []
    for kind in control_records():
        records = list(
            kind.current_records(entry.organization).filter(controls=entry.control).order_by("pk")
        )
        if records:
            found.append((kind.label, records))
    return found


def _events(entry: SoAEntry):
    """The entry's changes, and its additional control's."""
    events = AuditEvent.objects.for_record(entry)
    if entry.is_additional:
        events = events | AuditEvent.objects.for_record(entry.additional_control)
    return events[:20]


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
            "additional": entry.additional_control,
            "risks": entry.risks.order_by("ref"),
            "evidence": evidence,
            "records": addressed_by(entry),
            "events": _events(entry),
        },
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def soa_edit(request, entry_id: int):
    entry = _entry(request, entry_id)
    form = SoAEntryForm(request.POST or None, instance=entry, organization=request.org)
    may_decide = request.membership.can(Access.DECIDE)
    if request.method == "POST" and form.is_valid():
        risks = list(form.cleaned_data["risks"])
        warning = form.instance.justification_warning  # before a proposal restores the stored one
        try:
            if may_decide:
                services.update_entry(form.instance, actor=request.user, risks=risks)
                proposal = None
            else:
                proposal = services.propose_decision(form.instance, actor=request.user, risks=risks)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if warning:
                messages.warning(request, f"{entry.ref}: {warning}")
            if proposal is None:
                messages.success(request, f"Saved the decision on {entry.ref}.")
            else:
                messages.success(
                    request,
                    f"Saved. The decision on {entry.ref} is proposed to an Owner, an AIMS "
                    "Manager or top management, who approve or refuse it.",
                )
            return redirect("soa_detail", org=request.org.slug, entry_id=entry.pk)
    return render(
        request, "soa/soa_form.html", {"entry": entry, "form": form, "may_decide": may_decide}
    )


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def soa_additional_create(request):
    control = AdditionalControl(organization=request.org)
    form = AdditionalControlForm(request.POST or None, instance=control)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_additional_control(form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Added {control.ref} to the Statement of Applicability. Now decide whether it "
                "applies, and say why.",
            )
            return redirect("soa_edit", org=request.org.slug, entry_id=entry.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "soa/additional_form.html", {"form": form}, status=status)


def _additional_entry(request, entry_id: int):
    """The entry of an additional control, or a redirect to the page of an Annex A entry (whose
    control comes from the standard and is neither changed nor removed)."""
    entry = _entry(request, entry_id)
    if entry.is_additional:
        return entry, None
    messages.warning(
        request,
        f"{entry.ref} is an Annex A control of ISO/IEC 42001: the standard defines it, so it is "
        "neither changed nor removed here. Record your decision on it instead.",
    )
    return entry, redirect("soa_detail", org=request.org.slug, entry_id=entry.pk)


@org_view(Access.CONTRIBUTE)
@require_http_methods(["GET", "POST"])
def soa_additional_edit(request, entry_id: int):
    entry, elsewhere = _additional_entry(request, entry_id)
    if elsewhere:
        return elsewhere
    control = entry.additional_control
    saved = {"ref": control.ref, "title": control.title}  # the form changes the instance
    form = AdditionalControlForm(request.POST or None, instance=control)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_additional_control(form.instance, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {control.ref}.")
            return redirect("soa_detail", org=request.org.slug, entry_id=entry.pk)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "entry": entry, "saved": saved}
    return render(request, "soa/additional_form.html", context, status=status)


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def soa_additional_remove(request, entry_id: int):
    """Ask first (what goes with the control), then remove it; refused, in words, while
    evidence supports it."""
    entry, elsewhere = _additional_entry(request, entry_id)
    if elsewhere:
        return elsewhere
    refusal = None
    if request.method == "POST":
        ref = entry.ref
        try:
            services.remove_additional_control(entry, actor=request.user)
        except Refused as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, f"Removed {ref} from the Statement of Applicability.")
            return redirect("soa_list", org=request.org.slug)
    context = {
        "entry": entry,
        "evidence": Evidence.objects.filter(soa_entries=entry).order_by("title", "pk"),
        "risks": entry.risks.order_by("ref"),
        "refusal": refusal,
    }
    return render(request, "soa/additional_remove.html", context, status=409 if refusal else 200)


def _filename(request, extension: str, *, part: str = "") -> str:
    return f"soa-{slugify(request.org.slug)}{part}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _csv(text: str, filename: str) -> HttpResponse:
    # Starts with its header line, as every CSV of the app: no preamble, no byte order mark.
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@org_view()
def soa_export_csv(request):
    data = soa_export.build_export(request.org)
    return _csv(soa_export.to_csv(data), _filename(request, "csv"))


@org_view()
def soa_export_control_csv(request):
    """The document-control block of the CSV export (version, date, approval, scope)."""
    data = soa_export.build_export(request.org)
    return _csv(soa_export.control_csv(data), _filename(request, "csv", part="-document-control"))


@org_view()
def soa_export_xlsx(request):
    data = soa_export.build_export(request.org)
    response = HttpResponse(
        soa_export.to_xlsx(data),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(request, "xlsx")}"'
    return response
