"""What the context area's pages share: a list with filters and pages, a CSV export, a form
page that calls a service, and a confirmation before deleting."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from aims.core.exports import safe_csv_writer
from aims.core.forms import add_service_errors
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
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "querystring": query_without_page(request),
        "list_url": request.path,
        "tabs": tabs(request, tab),
        "today": timezone.localdate(),
        **(extra or {}),
    }
    return render(request, template, context)


def csv_export(request, *, name: str, header: list[str], rows: Iterable[list]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{request.org.slug}-{stamp}.csv"'
    )
    writer = safe_csv_writer(response)
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


def form_page(
    request,
    *,
    form,
    save: Callable[[object], object],
    template: str = "context/form.html",
    context: dict,
    saved: Callable[[object], str],
):
    """Show ``form``; on a valid POST call ``save(form)`` (the service) and go to the saved
    record's page; a service's refusal is shown beside its field."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, saved(record))
            return redirect(record.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **context}, status=status)


def confirm_delete(request, *, record, delete, back: str, done: str, what: str, consequence: str):
    """A confirmation page; the POST deletes through the service."""
    if request.method == "POST":
        label = str(record)
        try:
            delete(record, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(back)
        messages.success(request, f"{what} “{label}” deleted. The audit trail keeps its record.")
        return redirect(done)
    context = {"record": record, "back": back, "what": what, "consequence": consequence}
    return render(request, "context/confirm_delete.html", context)


def events_of(record):
    return AuditEvent.objects.for_record(record)[:20]
