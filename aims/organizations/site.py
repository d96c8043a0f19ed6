"""Pages outside any organization: the start page, the list of one's organizations, a new one."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from aims.core.forms import length_of

from .models import Membership, Organization
from .services import create_organization


@login_required
def home(request):
    """Straight to the organization's dashboard when the user has one; else the list."""
    memberships = list(Membership.objects.for_user(request.user)[:2])
    if len(memberships) == 1:
        return redirect("dashboard", org=memberships[0].organization.slug)
    return redirect("organization_list")


@login_required
def organization_list(request):
    memberships = Membership.objects.for_user(request.user).order_by("organization__name")
    return render(
        request,
        "organizations/organization_list.html",
        {"memberships": memberships, "can_create": settings.AIMS_ALLOW_ORG_CREATION},
    )


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=length_of(Organization, "name"), label="Organization name")
    scope = forms.CharField(
        max_length=length_of(Organization, "scope"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional now: which units, sites and AI systems the AIMS covers.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    if not settings.AIMS_ALLOW_ORG_CREATION:
        raise PermissionDenied(
            "New organizations are created by the operator of this OpenAIMS instance "
            "(aims createadmin --org). Ask them, or ask an Owner to invite you."
        )
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = create_organization(
            name=form.cleaned_data["name"], scope=form.cleaned_data["scope"], owner=request.user
        )
        return redirect("dashboard", org=org.slug)
    return render(request, "organizations/organization_form.html", {"form": form})
