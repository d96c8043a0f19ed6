"""The sign-off page; the form also sits in the risk section of the system's page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from aims.core.errors import Refused
from aims.core.forms import add_service_errors
from aims.inventory.models import AISystem
from aims.organizations.access import org_view
from aims.organizations.models import Access

from .. import services
from .forms import SignOffForm


def form_for(system: AISystem, membership, data=None) -> SignOffForm:
    return SignOffForm(data, system=system, authority=membership.authority())


@org_view(Access.DECIDE)
@require_http_methods(["GET", "POST"])
def system_signoff(request, system_id: int):
    system = get_object_or_404(AISystem, pk=system_id, organization=request.org)
    form = form_for(system, request.membership, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.sign_no_significant_risks(
                    system, actor=request.user, conclusion=form.cleaned_data["conclusion"]
                )
            except Refused as refused:
                add_service_errors(form, refused)
                status = refused.status
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Signed: the risk assessment of “{system.name}” found no significant risks "
                    f"in {system.get_stage_display()}.",
                )
                return redirect(system.get_absolute_url() + "#risk-assessment")
    return render(
        request, "risk/system_signoff.html", {"system": system, "form": form}, status=status
    )
