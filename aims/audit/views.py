"""The organization's audit trail: browse, filter, verify the hash chain and export."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.core.access import org_view
from aims.core.exports import safe_csv_writer
from aims.core.pagination import paginate, query_without_page

from .models import Action, AuditEvent, record_type_label
from .services import verify_chain

# Records that have a page of their own: record type -> (URL name, kwarg name).
RECORD_PAGES = {
    "inventory.aisystem": ("system_detail", "system_id"),
    "risk.risk": ("risk_detail", "risk_id"),
    "soa.soaentry": ("soa_detail", "entry_id"),
    "evidence.evidence": ("evidence_detail", "evidence_id"),
}


def record_url(org_slug: str, event: AuditEvent) -> str:
    """The page of the record an event is about, when it has one and still exists by id."""
    target = RECORD_PAGES.get(event.record_type)
    if target is None or not event.record_id.isdigit() or event.action == Action.DELETE:
        return ""
    name, kwarg = target
    try:
        return reverse(name, kwargs={"org": org_slug, kwarg: int(event.record_id)})
    except NoReverseMatch:
        return ""


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who")
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *Action.choices])
    record_type = forms.ChoiceField(required=False, label="Record type")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, record_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", "Any record")] + [
            (value, record_type_label(value)) for value in record_types
        ]

    def filter(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["actor"]:
            events = events.filter(actor_label__iexact=data["actor"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["record_type"]:
            events = events.filter(record_type=data["record_type"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            start = dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz)
            events = events.filter(created_at__gte=start)
        if data["date_to"]:
            end = dt.datetime.combine(
                data["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
            events = events.filter(created_at__lt=end)
        return events


def _filtered(request):
    events = AuditEvent.objects.filter(organization=request.org)
    record_types = events.order_by("record_type").values_list("record_type", flat=True).distinct()
    form = AuditFilterForm(request.GET or None, record_types=list(record_types))
    return form, form.filter(events).order_by("-sequence")


@org_view()
def audit_log(request):
    form, events = _filtered(request)
    page = paginate(request, events)
    rows = [
        (event, record_url(request.org.slug, event), record_type_label(event.record_type))
        for event in page.object_list
    ]
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "querystring": query_without_page(request),
        "filtered": any(request.GET.get(k) for k in form.fields),
    }
    if request.headers.get("HX-Request"):
        return render(request, "audit/_log_table.html", context)
    return render(request, "audit/log.html", context)


@org_view()
def audit_verify(request):
    checked, chain_break = verify_chain(request.org)
    return render(
        request,
        "audit/verify.html",
        {"checked": checked, "chain_break": chain_break, "verified_at": timezone.now()},
    )


class _Echo:
    def write(self, value):
        return value


@org_view()
def audit_export_csv(request):
    """The filtered trail as CSV, oldest first, with the hashes so it can be checked elsewhere."""
    form, events = _filtered(request)
    events = events.order_by("sequence")
    writer = safe_csv_writer(_Echo())
    header = [
        "sequence",
        "created_at",
        "actor",
        "action",
        "record_type",
        "record_id",
        "record_label",
        "changes",
        "note",
        "previous_hash",
        "hash",
    ]

    def rows():
        yield writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.sequence,
                    e.created_at.isoformat(),
                    e.actor_label,
                    e.action,
                    e.record_type,
                    e.record_id,
                    e.record_label,
                    json.dumps(e.changes, sort_keys=True, default=str),
                    e.note,
                    e.previous_hash,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    filename = f"audit-trail-{request.org.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
