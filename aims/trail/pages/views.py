"""The organization's audit trail: browse, filter, verify the hash chain and export."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from django import forms
from django.apps import apps
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from aims.core.exports import safe_csv_writer
from aims.core.pagination import paginate, query_without_page
from aims.organizations.access import org_view
from aims.trail.models import Action, AuditEvent, Checkpoint, record_type_label
from aims.trail.services import verify_chain


def record_urls(events, organization) -> dict[int, str]:
    """``{event id: page of its record}`` for the events whose record has a page
    (``get_absolute_url``) and still exists: one query per kind of record on the page."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.action != Action.DELETE and event.record_id.isdigit():
            wanted[event.record_type].add(int(event.record_id))
    pages: dict[tuple[str, int], str] = {}
    for record_type, ids in wanted.items():
        try:
            model = apps.get_model(record_type)
        except (LookupError, ValueError):
            continue
        if not hasattr(model, "get_absolute_url") or not any(
            f.name == "organization" for f in model._meta.concrete_fields
        ):
            continue
        for pk, instance in (
            model._default_manager.filter(organization=organization).in_bulk(ids).items()
        ):
            instance.organization = organization  # known already: no query per record
            pages[(record_type, pk)] = instance.get_absolute_url()
    return {
        event.pk: pages.get((event.record_type, int(event.record_id)), "")
        for event in events
        if event.record_id.isdigit()
    }


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
    urls = record_urls(page.object_list, request.org)
    rows = [
        (event, urls.get(event.pk, ""), record_type_label(event.record_type))
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
        return render(request, "trail/_log_table.html", context)
    return render(request, "trail/log.html", context)


@org_view()
def audit_verify(request):
    checked, chain_break = verify_chain(request.org)
    return render(
        request,
        "trail/verify.html",
        {
            "checked": checked,
            "chain_break": chain_break,
            "verified_at": timezone.now(),
            "last_checkpoint": Checkpoint.objects.filter(organization=request.org).first(),
        },
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
