"""Organization settings: the AIMS scope, members and roles, and personal API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from aims.core.forms import add_service_errors
from aims.organizations.access import org_view
from aims.organizations.context import header_notices

from . import invitations, services
from .forms import InvitationForm, MemberEditForm, ScopeForm, TokenForm
from .models import Access, ApiToken, Invitation, Membership, Role
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


@org_view()
def notices(request):
    """The header's list of what needs the member now (their reminders due this week), loaded
    by htmx when they open it (aims.organizations.context); it refreshes the bell's count."""
    return render(request, "organizations/_notices.html", {"notices": header_notices(request)})


@org_view()
def notice_count(request):
    """The bell's count, loaded by htmx once the page is shown, so no page waits for it."""
    return render(request, "organizations/_notice_count.html", {"notices": header_notices(request)})


@org_view(Access.MANAGE)
@require_http_methods(["GET", "POST"])
def settings_scope(request):
    org = request.org
    form = ScopeForm(
        request.POST or None, instance=org, may_require_mfa=request.membership.can(Access.OWN)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                org,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
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
    is_owner = request.membership.can(Access.OWN)
    open_invitations = (
        Invitation.objects.open()
        .filter(organization=request.org)
        .select_related("invited_by")
        .order_by("-created_at")
        if is_owner
        else Invitation.objects.none()
    )
    return render(
        request,
        "organizations/member_list.html",
        {
            "members": members,
            "owner_count": sum(m.role == Role.OWNER for m in members),
            "invitations": list(open_invitations),
        },
    )


def _link_for(request):
    return lambda secret: request.build_absolute_uri(reverse("invitation", args=[secret]))


def _show_link(request, invitation, secret, *, again: bool = False):
    """The page that shows an invitation's link, once: only a digest of it is stored."""
    response = render(
        request,
        "organizations/invitation_created.html",
        {
            "invitation": invitation,
            "link": _link_for(request)(secret),
            "again": again,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@org_view(Access.OWN)
@require_http_methods(["GET", "POST"])
def member_add(request):
    """Invite a person. The answer is the same whether or not an account exists."""
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, secret = invitations.invite(
                request.org,
                actor=request.user,
                invitee=data["invitee"],
                role=data["role"],
                is_top_management=data["is_top_management"],
                link_for=_link_for(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _show_link(request, invitation, secret)
    return render(
        request,
        "organizations/member_add.html",
        {"form": form, "invitation_days": settings.AIMS_INVITATION_DAYS},
    )


def _invitation(request, invitation_id) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by"),
        pk=invitation_id,
        organization=request.org,
    )


@org_view(Access.OWN)
@require_POST
def invitation_resend(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    try:
        invitation, secret = invitations.resend_invitation(
            invitation, actor=request.user, link_for=_link_for(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member_list", org=request.org.slug)
    return _show_link(request, invitation, secret, again=True)


@org_view(Access.OWN)
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = _invitation(request, invitation_id)
    try:
        invitations.revoke_invitation(invitation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"The invitation of “{invitation.email}” is revoked; its link no longer works."
        )
    return redirect("member_list", org=request.org.slug)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The page an invitation link opens: sign in, then accept or decline."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    found = invitations.find(token)
    if found is None:
        return render(request, "organizations/invitation.html", {"invitation": None}, status=404)
    error, status = None, 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                membership = invitations.accept_invitation(found, user=request.user)
                messages.success(
                    request,
                    f"Welcome to {found.organization.name}: you are a member as "
                    f"{membership.get_role_display()}.",
                )
                return redirect("dashboard", org=found.organization.slug)
            if answer == "decline":
                invitations.decline_invitation(found, user=request.user)
                messages.success(
                    request, f"You declined the invitation to {found.organization.name}."
                )
                return redirect("organization_list")
            error, status = "Choose Accept or Decline.", 400
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 409
        found.refresh_from_db()
    refusal = invitations.refusal(found, request.user)
    return render(
        request,
        "organizations/invitation.html",
        {
            "invitation": found,
            "error": error,
            "refusal": refusal,
            # Only the person invited learns which organization invites them.
            "may_answer": refusal is None,
            "may_decline": found.is_pending and found.is_for(request.user),
            "is_invitee": found.is_for(request.user),
        },
        status=status,
    )


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


def _revocable_tokens(request):
    """An Owner may revoke every token of the organization; anyone else only their own."""
    if request.membership.can(Access.OWN):
        return ApiToken.objects.filter(organization=request.org)
    return _own_tokens(request)


@org_view()
def token_list(request):
    members_tokens = None
    if request.membership.can(Access.OWN):
        members_tokens = (
            ApiToken.objects.filter(organization=request.org)
            .exclude(user=request.user)
            .select_related("user")
            .order_by("revoked_at", "user__username", "-created_at")
        )
    return render(
        request,
        "organizations/token_list.html",
        {
            "tokens": _own_tokens(request).order_by("revoked_at", "-created_at"),
            "members_tokens": members_tokens,
            "form": TokenForm(),
        },
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
    token = get_object_or_404(
        _revocable_tokens(request).select_related("organization", "user"), pk=token_id
    )
    was_active = token.is_active
    try:
        revoke_token(token, actor=request.user)
    except PermissionDenied:  # the role changed between the lookup and now
        raise Http404("No such token.") from None
    if was_active:
        whose = "" if token.user_id == request.user.pk else f" of {token.user.get_username()}"
        messages.success(request, f"Token “{token.name}”{whose} is revoked; it no longer works.")
    return redirect("token_list", org=request.org.slug)
