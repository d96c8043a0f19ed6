"""What the pages of every area do the same way: a form saved through a service, a deletion
confirmed first, a CSV download, a list that says whether it is filtered.

Each takes the area's own service function, so the rule stays in the service; these only shape
the request and the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS

from .exports import safe_csv_writer
from .forms import add_service_errors


def act(request, action: Callable[[], Any], success: str, *, back: str, to=None):
    """A button's POST: call ``action()`` (the service), say ``success`` or why it was refused
    (no authority, a rule of the service), and go back to ``back``, or on success to
    ``to(result)`` when given (a new version's page, say)."""
    try:
        result = action()
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do this.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
        if to is not None:
            return redirect(to(result))
    return redirect(back)


def form_page(
    request,
    form,
    *,
    save: Callable[[Any], Any],
    template: str,
    saved: Callable[[Any], str],
    context: dict | None = None,
):
    """Show ``form``; on a valid POST call ``save(form)`` (which calls the service and returns
    the record) and go to the record's page, saying ``saved(record)``. A refusal of the service
    shows beside its field, with status 422 like any invalid form."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, saved(record))
            return redirect(record.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)


def confirm_delete(
    request,
    record,
    *,
    delete: Callable[..., Any],
    what: str,
    back: str,
    done: str,
    consequence: str = "",
    context: dict | None = None,
):
    """A page that asks before deleting ``record`` (GET), and the deletion through the service
    ``delete(record, actor=...)`` (POST). A refusal of the service (a record still in use, say)
    goes back to the record with its reason."""
    if request.method == "POST":
        label = str(record)
        try:
            delete(record, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(back)
        messages.success(request, f"Deleted {what} “{label}”. The change trail keeps its record.")
        return redirect(done)
    page = {"record": record, "what": what, "back": back, "consequence": consequence}
    return render(request, "core/confirm_delete.html", {**page, **(context or {})})


def csv_download(name: str, organization) -> tuple[HttpResponse, Any]:
    """An empty CSV download named ``<name>-<organization>-<date>.csv`` and a spreadsheet-safe
    writer into it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{organization.slug}-{stamp}.csv"'
    )
    return response, safe_csv_writer(response)


def is_filtered(request) -> bool:
    """Whether the list is narrowed by a filter or a search (the page number aside): an empty
    list then says "nothing matches", not "nothing recorded yet"."""
    return any(value for key, value in request.GET.items() if key != "page")


def with_organization(records: Iterable, organization) -> list:
    """``records`` with their organization set to the one already loaded, so that each one's
    ``get_absolute_url`` costs no query."""
    records = list(records)
    for record in records:
        record.organization = organization
    return records


def record_urls(url_name: str, organization, param: str) -> Callable[[Any], str]:
    """``fn(key)``: the URL of a record's page (``url_name``, with the organization and the
    record's id or ref as ``param``), reversed once for a whole list: ``reverse`` costs some
    35 µs, a list of fifty records fifty times. The key is quoted as ``reverse`` quotes it."""
    org = organization.slug
    sample = reverse(url_name, kwargs={"org": org, param: "1"})
    head, found, tail = sample.rpartition("/1/")
    if not found:  # the key is not a path segment of its own: reverse each
        return lambda key: reverse(url_name, kwargs={"org": org, param: key})
    return lambda key: f"{head}/{quote(str(key), safe=RFC3986_SUBDELIMS + '/~:@')}/{tail}"
