"""Organization settings: the AIMS scope, members and roles, and personal API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from aims.audit.services import save_governed
from aims.core.access import org_view
from aims.core.forms import add_service_errors

from . import services
from .forms import MemberAddForm, MemberEditForm, ScopeForm, TokenForm
from .models import Access, ApiToken, Membership, Role
from .tokens import issue_token, revoke_token


@org_view()
def settings_index(request):
    org = request.org
    return render(
        request,
        "organizations/settings_index.html",
        {
            "member_count": Membership.objects.filter(organization=org).count(),
            "token_count": ApiToken.objects.active()
            .filter(organization=org, user=request.user)
            .count(),
        },
    )


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def settings_scope(request):
    org = request.org
    form = ScopeForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            save_governed(form.instance, actor=request.user, organization=org)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The organization and its AIMS scope are saved.")
            return redirect("settings_index", org=org.slug)
    return render(request, "organizations/scope_form.html", {"form": form})


@org_view()
def member_list(request):
    members = (
        Membership.objects.filter(organization=request.org)
        .select_related("user")
        .order_by("user__username")
    )
    return render(
        request,
        "organizations/member_list.html",
        {"members": members, "owner_count": sum(m.role == Role.OWNER for m in members)},
    )


@org_view(Access.OWN)
@require_http_methods(["GET", "POST"])
def member_add(request):
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                account = data.get("account")
                if account is None:
                    account = get_user_model().objects.create_user(
                        username=data["new_username"],
                        email=data["new_email"],
                        password=data["new_password"],
                    )
                membership = services.add_member(
                    request.org,
                    actor=request.user,
                    user=account,
                    role=data["role"],
                    is_top_management=data["is_top_management"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{membership.user.get_username()} is now a member "
                f"({membership.get_role_display()}).",
            )
            return redirect("member_list", org=request.org.slug)
    return render(request, "organizations/member_add.html", {"form": form})


def _member(request, member_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        pk=member_id,
        organization=request.org,
    )


@org_view(Access.OWN)
@require_http_methods(["GET", "POST"])
def member_edit(request, member_id):
    membership = _member(request, member_id)
    form = MemberEditForm(
        request.POST or None,
        initial={"role": membership.role, "is_top_management": membership.is_top_management},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_member(
                membership,
                actor=request.user,
                role=form.cleaned_data["role"],
                is_top_management=form.cleaned_data["is_top_management"],
            )
        except ValidationError as exc:
            membership.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{membership.user.get_username()}'s role is saved.")
            if membership.user_id == request.user.pk and membership.role != Role.OWNER:
                return redirect("settings_index", org=request.org.slug)
            return redirect("member_list", org=request.org.slug)
    return render(request, "organizations/member_edit.html", {"form": form, "member": membership})


@org_view(Access.OWN)
@require_POST
def member_remove(request, member_id):
    membership = _member(request, member_id)
    username = membership.user.get_username()
    leaving = membership.user_id == request.user.pk
    try:
        services.remove_member(membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, f"{username} was not removed: " + " ".join(exc.messages))
        return redirect("member_list", org=request.org.slug)
    if leaving:
        messages.success(request, f"You left {request.org.name}.")
        return redirect("organization_list")
    messages.success(request, f"{username} no longer has access to {request.org.name}.")
    return redirect("member_list", org=request.org.slug)


def _own_tokens(request):
    return ApiToken.objects.filter(organization=request.org, user=request.user)


@org_view()
def token_list(request):
    return render(
        request,
        "organizations/token_list.html",
        {"tokens": _own_tokens(request).order_by("revoked_at", "-created_at"), "form": TokenForm()},
    )


@org_view()
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = issue_token(
                user=request.user, organization=request.org, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            response = render(
                request, "organizations/token_created.html", {"token": token, "secret": secret}
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "organizations/token_form.html", {"form": form})


@org_view()
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(_own_tokens(request).select_related("organization"), pk=token_id)
    was_active = token.is_active
    revoke_token(token, actor=request.user)
    if was_active:
        messages.success(request, f"Token “{token.name}” is revoked; it no longer works.")
    return redirect("token_list", org=request.org.slug)
