"""The context of the organization, 4.3: the organization's role for each AI system."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from .base import text_field


class AIRole(models.TextChoices):
    """Roles in the AI ecosystem in the vocabulary of ISO/IEC 22989 (5.19)."""

    PROVIDER = "provider", "AI provider"
    PRODUCER = "producer", "AI producer / developer"
    CUSTOMER = "customer", "AI customer / deployer"
    USER = "user", "AI user"
    PARTNER = "partner", "AI partner (data supplier, integrator, auditor, ...)"
    SUBJECT = "subject", "AI subject"


class OperatorRole(models.TextChoices):
    """Operators under the EU AI Act (Article 3): the law's own terms, with legal duties."""

    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer"
    IMPORTER = "importer", "Importer"
    DISTRIBUTOR = "distributor", "Distributor"
    REPRESENTATIVE = "representative", "Authorised representative"
    MANUFACTURER = "manufacturer", "Product manufacturer"


def _has_value(field: str, value: str):
    """A condition: the JSON list ``field`` holds ``value`` (portable: SQLite and PostgreSQL)."""
    return Q(**{f"{field}_text__contains": f'"{value}"'})


class SystemRoleQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def with_text(self):
        return self.annotate(
            iso_roles_text=Cast("iso_roles", models.TextField()),
            eu_roles_text=Cast("eu_roles", models.TextField()),
        )

    def filtered(self, *, q="", system="", iso_role="", eu_role=""):
        roles = self
        text = (q or "").replace("\x00", "").strip()
        if text:
            roles = roles.filter(Q(system__name__icontains=text) | Q(note__icontains=text))
        if system:
            roles = roles.filter(system__slug=system)
        if iso_role or eu_role:
            roles = roles.with_text()
        if iso_role:
            roles = roles.filter(_has_value("iso_roles", iso_role))
        if eu_role:
            roles = roles.filter(_has_value("eu_roles", eu_role))
        return roles

    def for_list(self):
        return self.select_related("system", "organization")


ISO_ROLES_HELP = (
    "ISO/IEC 22989 describes what the organization does in the AI ecosystem, whatever the law: "
    "a provider makes an AI product or service available, a producer designs or develops it, a "
    "customer acquires and deploys it, a user works with it, a partner contributes (data, "
    "integration, evaluation) and a subject is affected by it. Several may apply."
)
EU_ROLES_HELP = (
    "The EU AI Act's operator roles carry legal obligations and follow the Act's own "
    "definitions: placing a system on the market under your name makes you its provider; using "
    "it under your authority makes you its deployer. They do not map one-to-one to the ISO "
    "roles. Leave empty where the Act does not apply."
)


class SystemRole(models.Model):
    """What the organization is for one AI system: its roles in ISO/IEC 22989 terms, and apart
    from them its operator roles under the EU AI Act."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ai_system_roles"
    )
    system = models.OneToOneField(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="context_role",
        verbose_name="AI system",
    )
    iso_roles = models.JSONField(
        "roles (ISO/IEC 22989)", default=list, blank=True, help_text=ISO_ROLES_HELP
    )
    eu_roles = models.JSONField(
        "operator roles (EU AI Act)", default=list, blank=True, help_text=EU_ROLES_HELP
    )
    note = text_field(
        max_length=5_000, help_text="Why these roles: contracts, who builds, who places on market."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = SystemRoleQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "pk"]
        verbose_name = "AI system role"

    def __str__(self) -> str:
        return f"Roles for {self.system.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "role_detail", kwargs={"org": self.organization.slug, "system_role_id": self.pk}
        )

    def iso_role_labels(self) -> list[str]:
        return [AIRole(v).label for v in self.iso_roles if v in AIRole.values]

    def eu_role_labels(self) -> list[str]:
        return [OperatorRole(v).label for v in self.eu_roles if v in OperatorRole.values]
