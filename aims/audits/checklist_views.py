"""An audit's checklist (one form per item, saved in place with htmx or by a plain POST), its
completion, the follow-up of findings, and the audit report (page and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.core.reports import report
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import independence, services
from .forms import CompleteForm, ItemForm, evidence_choices
from .models import ChecklistItem, Result
from .views import can_audit, get_audit, result_counts


def checklist_items(audit, organization):
    items = list(
        audit.items.select_related(
            "clause", "control", "nonconformity", "improvement", "answered_by"
        )
        .prefetch_related("evidence")
        .order_by("position", "pk")
    )
    for item in items:
        item.audit = audit
        for record in (item.nonconformity, item.improvement, *item.evidence.all()):
            if record is not None:
                record.organization = organization
    return items


def item_context(request, item, form=None, *, choices=None) -> dict:
    editable = item.audit.records_results and can_audit(request)
    if editable and form is None:
        form = ItemForm(
            instance=item,
            organization=request.org,
            evidence_choices=choices if choices is not None else evidence_choices(request.org),
        )
    return {
        "item": item,
        "form": form if editable else None,
        "can_audit": can_audit(request),
        "raise_refusal": services.raise_refusal(item),
        "improvement_refusal": services.improvement_refusal(item),
    }


def _progress(audit) -> dict:
    total = audit.items.count()
    return {"total": total, "answered": audit.items.answered().count()}


def checklist_page(request, audit, *, complete_form=None, status=200):
    items = checklist_items(audit, request.org)
    only_findings = request.GET.get("findings") == "1"
    shown = [item for item in items if item.is_finding] if only_findings else items
    choices = evidence_choices(request.org) if audit.records_results else []
    context = {
        "audit": audit,
        "entries": [item_context(request, item, choices=choices) for item in shown],
        "only_findings": only_findings,
        "progress": {"total": len(items), "answered": sum(1 for i in items if i.result)},
        "complete_form": complete_form
        or CompleteForm(initial={"conclusion": audit.conclusion}, auto_id="complete_%s"),
        "completion_refusal": services.completion_refusal(audit),
        "can_audit": can_audit(request),
        "results": Result.choices,
    }
    return render(request, "audits/checklist.html", context, status=status)


@org_view()
def audit_checklist(request, audit_id: int):
    return checklist_page(request, get_audit(request, audit_id))


def get_item(request, audit, audit_item_id: int) -> ChecklistItem:
    item = get_object_or_404(
        ChecklistItem.objects.filter(audit=audit)
        .select_related("clause", "control", "nonconformity", "improvement", "answered_by")
        .prefetch_related("evidence"),
        pk=audit_item_id,
    )
    item.audit = audit
    for record in (item.nonconformity, item.improvement, *item.evidence.all()):
        if record is not None:
            record.organization = request.org
    return item


@org_view(Access.AUDIT)
@require_POST
def item_save(request, audit_id: int, audit_item_id: int):
    """Save one item's result. An htmx request gets the item back (with its errors, if any);
    a plain POST goes back to the checklist."""
    audit = get_audit(request, audit_id)
    item = get_item(request, audit, audit_item_id)
    htmx = bool(request.headers.get("HX-Request"))
    form = ItemForm(request.POST, instance=item, organization=request.org)
    saved = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_result(
                item,
                actor=request.user,
                result=data["result"],
                notes=data["notes"],
                evidence_sampled=data["evidence_sampled"],
                evidence=list(data["evidence"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
    if saved:
        item = get_item(request, audit, audit_item_id)
        if not htmx:
            messages.success(request, f"{item.ref}: {item.get_result_display().lower()} recorded.")
            if item.nonconformity_id and item.result == Result.MAJOR:
                messages.info(request, f"Nonconformity {item.nonconformity.ref} raised.")
            return redirect(item.get_absolute_url())
        context = item_context(request, item)
        context.update(
            saved=True,
            progress=_progress(audit),
            oob=True,
            completion_refusal=services.completion_refusal(audit),
        )
        return render(request, "audits/_checklist_item.html", context)
    if not htmx:
        messages.error(request, f"{item.ref}: nothing was saved. " + _errors_text(form))
        return redirect(item.get_absolute_url())
    form.fields["evidence"].widget.choices = evidence_choices(request.org)
    context = item_context(request, get_item(request, audit, audit_item_id), form)
    # 200, so htmx shows the errors in place (it does not swap an error status).
    return render(request, "audits/_checklist_item.html", context)


def _errors_text(form) -> str:
    return " ".join(message for messages_ in form.errors.values() for message in messages_)


@org_view(Access.AUDIT)
@require_POST
def item_raise(request, audit_id: int, audit_item_id: int):
    """Raise the nonconformity of a finding (one click; once)."""
    audit = get_audit(request, audit_id)
    item = get_item(request, audit, audit_item_id)
    try:
        nonconformity, created = services.raise_from_item(item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(item.get_absolute_url())
    nonconformity.organization = request.org
    if created:
        messages.success(request, f"Nonconformity {nonconformity.ref} raised from {item.ref}.")
    else:
        messages.info(request, f"{item.ref} raised {nonconformity.ref} already. Here it is.")
    return redirect(nonconformity.get_absolute_url())


@org_view(Access.AUDIT)
@require_POST
def item_improvement(request, audit_id: int, audit_item_id: int):
    """Add an opportunity for improvement to the improvement register (one click; once)."""
    audit = get_audit(request, audit_id)
    item = get_item(request, audit, audit_item_id)
    try:
        improvement, created = services.improvement_from_item(item, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(item.get_absolute_url())
    improvement.organization = request.org
    if created:
        messages.success(request, f"{improvement.ref} added to the improvement register.")
    else:
        messages.info(request, f"{item.ref} is in the register already as {improvement.ref}.")
    return redirect(improvement.get_absolute_url())


@org_view(Access.AUDIT)
@require_POST
def audit_complete(request, audit_id: int):
    audit = get_audit(request, audit_id)
    form = CompleteForm(request.POST, auto_id="complete_%s")
    if form.is_valid():
        try:
            completed = services.complete_audit(
                audit,
                actor=request.user,
                conclusion=form.cleaned_data["conclusion"],
                on=form.cleaned_data["completed_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            raised = completed.items.filter(nonconformity__isnull=False).count()
            messages.success(
                request,
                f"{audit.ref} completed."
                + (
                    f" {raised} nonconformit{'ies' if raised != 1 else 'y'} raised."
                    if raised
                    else ""
                ),
            )
            return redirect(audit.get_absolute_url())
    return checklist_page(request, get_audit(request, audit_id), complete_form=form, status=422)


# --- The report --------------------------------------------------------------------------------


def _report(request, audit_id: int, *, as_pdf: bool):
    audit = get_audit(request, audit_id)
    items = checklist_items(audit, request.org)
    findings = [item for item in items if item.is_finding]
    context = {
        "title": f"Internal audit report {audit.ref}",
        "audit": audit,
        "team": list(audit.team.all()),
        "clauses": list(audit.clauses.all()),
        "controls": list(audit.controls.all()),
        "systems": list(audit.systems.all()),
        "items": items,
        "findings": findings,
        "raised": [item for item in items if item.nonconformity_id],
        "counts": result_counts(audit),
        "conflicts": independence.conflicts_of(audit),
        "rules": independence.RULES,
    }
    return report(
        request, "audits/audit_report.html", context, name=f"audit-{audit.ref}", as_pdf=as_pdf
    )


@org_view()
@require_http_methods(["GET"])
def audit_report(request, audit_id: int):
    return _report(request, audit_id, as_pdf=False)


@org_view()
@require_http_methods(["GET"])
def audit_report_pdf(request, audit_id: int):
    return _report(request, audit_id, as_pdf=True)
