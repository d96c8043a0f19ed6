"""What the context area's pages share: a list with filters and pages, a CSV export, a form
page that calls a service, and a confirmation before deleting."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from aims.core.pages import csv_download, is_filtered
from aims.core.pagination import paginate, query_without_page
from aims.trail.models import AuditEvent

TABS = [
    ("overview", "Overview", "context_overview"),
    ("issues", "Issues", "issue_list"),
    ("parties", "Interested parties", "party_list"),
    ("scope", "Scope", "scope_list"),
    ("roles", "AI system roles", "role_list"),
    ("obligations", "Obligations", "obligation_list"),
]


def tabs(request, current: str) -> list[dict]:
    return [
        {
            "label": label,
            "url": reverse(name, kwargs={"org": request.org.slug}),
            "current": key == current,
        }
        for key, label, name in TABS
    ]


def list_page(request, *, records, filters, tab: str, template: str, extra=None):
    """A list page: the filtered records, a page of them, the filter form and the tabs."""
    page = paginate(request, records)
    context = {
        "page_obj": page,
        "records": page.object_list,
        "filters": filters,
        "filtered": is_filtered(request),
        "querystring": query_without_page(request),
        "list_url": request.path,
        "tabs": tabs(request, tab),
        "today": timezone.localdate(),
        **(extra or {}),
    }
    return render(request, template, context)


def csv_export(request, *, name: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    response, writer = csv_download(name, request.org)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def names(records) -> str:
    return "; ".join(str(r) for r in records)


def requirement_refs(record) -> str:
    return "; ".join([c.ref for c in record.clauses.all()] + [c.ref for c in record.controls.all()])


def events_of(record):
    return AuditEvent.objects.for_record(record)[:20]
