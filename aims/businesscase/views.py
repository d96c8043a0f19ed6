"""The business case pages: the guided page a board reads, the assumptions the AIMS manager
enters, and the same case as a printable report and a PDF (:mod:`aims.core.reports`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from aims.core.forms import add_service_errors
from aims.core.reports import report
from aims.organizations.access import org_view
from aims.organizations.models import Access

from . import services
from .case import business_case, estimates_if_emptied
from .forms import AssumptionsForm


def case_context(request) -> dict:
    return {"case": business_case(request.org, today=timezone.localdate())}


@org_view()
def business_case_page(request):
    return render(request, "businesscase/case.html", case_context(request))


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def business_case_assumptions(request):
    """The organization's own figures; an empty field keeps the estimate."""
    stored = services.assumptions_of(request.org)
    case = business_case(request.org, today=timezone.localdate())
    shown = estimates_if_emptied(case, stored)
    form = AssumptionsForm(
        request.POST if request.method == "POST" else None, instance=stored, estimates=shown
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_assumptions(form.save(commit=False), actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The business case's assumptions are saved.")
            return redirect("business_case", org=request.org.slug)
    status = 422 if request.method == "POST" else 200
    return render(request, "businesscase/assumptions.html", {"form": form}, status=status)


def _report(request, *, as_pdf: bool):
    context = {"title": "The business case for the AI management system", **case_context(request)}
    return report(request, "businesscase/report.html", context, name="business-case", as_pdf=as_pdf)


@org_view()
def business_case_report(request):
    return _report(request, as_pdf=False)


@org_view()
def business_case_pdf(request):
    return _report(request, as_pdf=True)
