"""Creating organizations and managing who belongs to them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from aims.core import areas
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import Access, Membership, Organization, Role


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organization"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_organization(*, name: str, owner, slug: str | None = None, scope: str = ""):
    """A new organization with its owner, and what every area starts one with (a default risk
    matrix, an SoA entry per control, ...)."""
    organization = Organization.objects.create(
        name=name, slug=slug or unique_slug(name), scope=scope
    )
    record(
        organization,
        actor=owner,
        instance=organization,
        action=Action.CREATE,
        changes={"name": [None, name], "slug": [None, organization.slug]},
    )
    membership = Membership.objects.create(
        user=owner, organization=organization, role=Role.OWNER, is_top_management=True
    )
    record(
        organization,
        actor=owner,
        instance=membership,
        action=Action.ACCESS,
        changes={"role": [None, Role.OWNER]},
    )
    areas.set_up_organization(organization)
    return organization


@transaction.atomic
def update_settings(organization, *, actor, **values) -> Organization:
    """Change the organization's name, AIMS scope (clause 4.3) or two-factor requirement.

    Owners and AIMS Managers change the name and scope; only an Owner turns the two-factor
    requirement on or off (every member's sign-in depends on it).
    """
    membership = Membership.objects.filter(organization=organization, user=actor).first()
    if membership is None or not membership.can(Access.MANAGE):
        raise PermissionDenied("Only an Owner or AIMS Manager changes the organization's settings.")
    unknown = set(values) - {"name", "scope", "require_mfa"}
    if unknown:
        raise ValueError(f"not a setting: {', '.join(sorted(unknown))}")
    stored = Organization.objects.get(pk=organization.pk)  # a bound form may have set it
    if (
        "require_mfa" in values
        and values["require_mfa"] != stored.require_mfa
        and not membership.can(Access.OWN)
    ):
        raise PermissionDenied(
            "Only an Owner can require two-factor sign-in, or stop requiring it."
        )
    for name, value in values.items():
        setattr(organization, name, value)
    organization.full_clean(exclude=["slug"])
    return save_governed(organization, actor=actor, organization=organization)


def add_member(organization, *, actor, user, role: str, is_top_management: bool = False):
    """Make an account a member at once, without asking them.

    For the demo loader and operator commands only: people join through the web by accepting an
    invitation (see :mod:`aims.organizations.invitations`). Two simultaneous adds of the same
    person answer "already a member" to the second, never a server error.
    """
    already = ValidationError({"user": f"{user.get_username()} is already a member."})
    if Membership.objects.filter(organization=organization, user=user).exists():
        raise already
    membership = Membership(
        organization=organization, user=user, role=role, is_top_management=is_top_management
    )
    try:
        with transaction.atomic():
            return save_governed(membership, actor=actor, organization=organization)
    except IntegrityError:
        raise already from None


@transaction.atomic
def change_member(membership, *, actor, role: str, is_top_management: bool):
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.is_top_management = is_top_management
    return save_governed(membership, actor=actor)


@transaction.atomic
def remove_member(membership, *, actor):
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    delete_governed(membership, actor=actor)


def _ensure_another_owner(membership):
    others = Membership.objects.filter(
        organization=membership.organization, role=Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError({"role": "An organization needs at least one Owner."})
