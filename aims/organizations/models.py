import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


class Organization(models.Model):
    """One AI management system. Every governed record belongs to exactly one organization."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    scope = models.TextField(
        blank=True,
        max_length=20_000,
        validators=[MaxLengthValidator(20_000)],
        help_text="The boundaries of the AI management system: units, sites, AI systems, roles.",
    )
    require_mfa = models.BooleanField(
        "require multi-factor authentication",
        default=False,
        help_text="Members must sign in with a one-time code from an authenticator app as well "
        "as their password before they can open this organization.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Access(models.TextChoices):
    """What a view or endpoint needs: read, contribute (create and edit), manage, or own.

    ``AUDIT`` is the internal auditor's right to plan and record audits and their findings, and
    nothing else: an Auditor has read and audit, a Contributor has no audit.
    """

    READ = "read", "Read"
    AUDIT = "audit", "Record audits"
    CONTRIBUTE = "contribute", "Create and edit"
    MANAGE = "manage", "Manage"
    DECIDE = "decide", "Decide with authority"
    OWN = "own", "Owner only"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "AIMS Manager"
    CONTRIBUTOR = "contributor", "Contributor"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


ROLE_ACCESS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Access.values),
    Role.MANAGER: frozenset(
        {Access.READ, Access.AUDIT, Access.CONTRIBUTE, Access.MANAGE, Access.DECIDE}
    ),
    Role.CONTRIBUTOR: frozenset({Access.READ, Access.CONTRIBUTE}),
    Role.AUDITOR: frozenset({Access.READ, Access.AUDIT}),
    Role.VIEWER: frozenset({Access.READ}),
}


class MembershipQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user).select_related("organization")

    def with_authority(self):
        """Members who may take decisions that need authority (risk acceptance and the like)."""
        return self.filter(
            models.Q(role__in=[Role.OWNER, Role.MANAGER]) | models.Q(is_top_management=True)
        )


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    is_top_management = models.BooleanField(
        "top management",
        default=False,
        help_text="Top management can take decisions that need authority, such as accepting a "
        "risk above appetite.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]
        ordering = ["organization__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    def can(self, access: str) -> bool:
        if access == Access.DECIDE:
            return self.has_authority
        return access in ROLE_ACCESS[self.role]

    @property
    def has_authority(self) -> bool:
        return self.role in (Role.OWNER, Role.MANAGER) or self.is_top_management

    def authority(self) -> str:
        """The authority a signature of this member carries ("AIMS Manager and Top
        management"), recorded beside it; empty for a member without any."""
        parts = []
        if self.role in (Role.OWNER, Role.MANAGER):
            parts.append(self.get_role_display())
        if self.is_top_management:
            parts.append("Top management")
        return " and ".join(parts)


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token, scoped to one organization; it acts with its user's current role.

    Only a SHA-256 digest of the secret is stored; the secret is shown once, at creation.
    """

    PREFIX = "aims_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new secret, with its display prefix and its digest."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        return secret, secret[: len(cls.PREFIX) + 6], cls.digest(secret)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Invitations nobody has answered or revoked yet, expired ones included."""
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
        )

    def pending(self):
        return self.open().filter(expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An Owner's offer of a role in an organization, answered by the invitee through a link.

    The link carries a random secret; only its SHA-256 digest is stored (like an API token), so
    the link is shown once, a copy of the database opens nothing, and resending replaces the
    secret, which makes the old link useless.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.CharField(
        "e-mail address or username",
        max_length=254,
        help_text="Who the invitation is for, as the Owner wrote it.",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    is_top_management = models.BooleanField("top management", default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    audit_exclude = ("key_hash",)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization} ({self.get_role_display()})"

    @staticmethod
    def digest(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str]:
        """A new secret for the link, with its digest."""
        secret = secrets.token_urlsafe(32)
        return secret, cls.digest(secret)

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.declined_at is not None:
            return InvitationStatus.DECLINED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING

    def is_for(self, user) -> bool:
        """Whether ``user`` is the person invited: their username or e-mail address matches."""
        wanted = self.email.strip().casefold()
        return wanted in {user.get_username().casefold(), (user.email or "").strip().casefold()}
