"""The context of the organization (ISO/IEC 42001 clause 4): the issues that shape its AI
management system (4.1), the interested parties and what they expect (4.2), the scope statement
(4.3) with the organization's role for each AI system, and the register of legal, contractual and
voluntary obligations (4.2, A.8.5)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

TITLE = 200
TEXT = 20_000


def text_field(verbose_name=None, *, blank=True, help_text="", max_length=TEXT):
    """A long text with its length enforced by validation too (tests/test_input_bounds.py)."""
    return models.TextField(
        verbose_name,
        blank=blank,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        help_text=help_text,
    )


def owner_field():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A member of the organization who keeps this record up to date.",
    )


def review_field(help_text="When this record is next looked at again."):
    return models.DateField("review date", null=True, blank=True, help_text=help_text)


class Side(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class ReviewedQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def review_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(review_date__lt=today)


# --- 4.1 Issues ------------------------------------------------------------------------------


class IssueCategory(models.TextChoices):
    """One list with two groups: the PESTLE headings for the environment the organization works
    in, and the SWOT headings for its own position. The form shows them as two groups."""

    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal"
    ENVIRONMENTAL = "environmental", "Environmental"
    STRENGTH = "strength", "Strength"
    WEAKNESS = "weakness", "Weakness"
    OPPORTUNITY = "opportunity", "Opportunity"
    THREAT = "threat", "Threat"

    @classmethod
    def grouped(cls) -> list[tuple[str, list[tuple[str, str]]]]:
        pestle = [(c.value, c.label) for c in list(cls)[:6]]
        swot = [(c.value, c.label) for c in list(cls)[6:]]
        return [
            ("PESTLE: the environment around the organization", pestle),
            ("SWOT: the organization's own position", swot),
        ]

    @property
    def scheme(self) -> str:
        return "PESTLE" if list(IssueCategory).index(self) < 6 else "SWOT"


class Raises(models.TextChoices):
    RISK = "risk", "A risk"
    OPPORTUNITY = "opportunity", "An opportunity"
    BOTH = "both", "Both a risk and an opportunity"
    NEITHER = "neither", "Neither, for now"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    ADDRESSED = "addressed", "Addressed"
    CLOSED = "closed", "Closed"


class IssueQuerySet(ReviewedQuerySet):
    def open(self):
        return self.exclude(status=IssueStatus.CLOSED)

    def review_overdue(self, today: dt.date | None = None):
        return super().review_overdue(today).open()

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(ref__icontains=text)
            | Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(effect__icontains=text)
        )

    def filtered(
        self, *, q="", side="", category="", raises="", status="", owner=None, overdue=False
    ):
        """The list's filters, one rule for the page, its export and the API."""
        issues = self.search(q)
        if side:
            issues = issues.filter(side=side)
        if category:
            issues = issues.filter(category=category)
        if raises:
            issues = issues.filter(raises=raises)
        if status:
            issues = issues.filter(status=status)
        if owner is not None:
            issues = issues.filter(owner=owner)
        if overdue:
            issues = issues.review_overdue()
        return issues

    def for_list(self):
        return self.select_related("owner", "organization").prefetch_related("risks")


class Issue(AddressesRequirements):
    """An internal or external issue that bears on what the AI management system must achieve
    (clause 4.1)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="context_issues"
    )
    ref = models.CharField("id", max_length=20)
    title = models.CharField(max_length=TITLE)
    description = text_field(help_text="What the issue is, and where it comes from.")
    side = models.CharField(
        "internal or external",
        max_length=10,
        choices=Side.choices,
        help_text="Internal: culture, skills, systems, strategy. External: markets, law, "
        "technology, society.",
    )
    category = models.CharField(
        max_length=20,
        choices=IssueCategory.choices,
        help_text="A PESTLE heading for the environment, or a SWOT heading for the "
        "organization's own position.",
    )
    effect = text_field(
        "effect on the AIMS",
        help_text="How the issue affects what the AI management system can achieve.",
    )
    raises = models.CharField(
        "raises",
        max_length=12,
        choices=Raises.choices,
        default=Raises.RISK,
        help_text="Whether the issue raises a risk or an opportunity to plan for (6.1).",
    )
    owner = owner_field()
    review_date = review_field()
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    risks = models.ManyToManyField(
        "risk.Risk", blank=True, related_name="context_issues", verbose_name="linked risks"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        verbose_name = "context issue"
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="unique_issue_ref")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("issue_detail", kwargs={"org": self.organization.slug, "issue_id": self.pk})

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status != IssueStatus.CLOSED
            and self.review_date is not None
            and self.review_date < today
        )

    @property
    def scheme(self) -> str:
        return IssueCategory(self.category).scheme if self.category else ""


# --- 4.2 Interested parties ------------------------------------------------------------------


class PartyKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    REGULATORS = "regulators", "Regulators and supervisors"
    EMPLOYEES = "employees", "Employees"
    AFFECTED = "affected", "Affected individuals"
    SUPPLIERS = "suppliers", "Suppliers and AI partners"
    SHAREHOLDERS = "shareholders", "Shareholders and investors"
    MANAGEMENT = "management", "Top management and board"
    SOCIETY = "society", "Society and civil society"
    OTHER = "other", "Other"


class Addressed(models.TextChoices):
    ADDRESSED = "addressed", "Addressed"
    PARTLY = "partly", "Partly addressed"
    NOT_ADDRESSED = "not_addressed", "Not addressed"


class PartyQuerySet(ReviewedQuerySet):
    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(needs__icontains=text) | Q(requirements__icontains=text)
        )

    def filtered(self, *, q="", side="", kind="", addressed="", owner=None, overdue=False):
        parties = self.search(q)
        if side:
            parties = parties.filter(side=side)
        if kind:
            parties = parties.filter(kind=kind)
        if addressed:
            parties = parties.filter(addressed=addressed)
        if owner is not None:
            parties = parties.filter(owner=owner)
        if overdue:
            parties = parties.review_overdue()
        return parties

    def for_list(self):
        return self.select_related("owner", "organization")


class InterestedParty(AddressesRequirements):
    """Someone with a stake in the organization's AI: what they need and expect, the
    requirements that follow, and whether the AI management system meets them (4.2)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="interested_parties"
    )
    name = models.CharField(max_length=TITLE)
    side = models.CharField(
        "internal or external", max_length=10, choices=Side.choices, default=Side.EXTERNAL
    )
    kind = models.CharField(max_length=20, choices=PartyKind.choices)
    needs = text_field(
        "needs and expectations",
        help_text="What this party needs from, or expects of, the organization's use of AI.",
    )
    requirements = text_field(
        "relevant requirements",
        help_text="Which of those needs the organization takes on as requirements (laws, "
        "contracts, commitments).",
    )
    addressed = models.CharField(
        "addressed by the AIMS",
        max_length=15,
        choices=Addressed.choices,
        default=Addressed.NOT_ADDRESSED,
        help_text="Whether the AI management system meets these requirements today.",
    )
    how_addressed = text_field(
        "how", help_text="The policies, controls or processes that meet them, or what is missing."
    )
    owner = owner_field()
    review_date = review_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = PartyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "interested party"
        verbose_name_plural = "interested parties"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("party_detail", kwargs={"org": self.organization.slug, "party_id": self.pk})

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_date is not None and self.review_date < today


# --- 4.3 Scope -------------------------------------------------------------------------------


class ScopeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class ScopeQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def approved(self):
        return self.filter(status=ScopeStatus.APPROVED)

    def drafts(self):
        return self.filter(status=ScopeStatus.DRAFT)

    def current(self, organization):
        """The approved version of an organization's scope, or None."""
        return self.for_org(organization).approved().order_by("-number").first()

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(statement__icontains=text)
            | Q(units__icontains=text)
            | Q(sites__icontains=text)
            | Q(activities__icontains=text)
            | Q(exclusions__icontains=text)
            | Q(change_note__icontains=text)
        )

    def filtered(self, *, q="", status="", system=""):
        versions = self.search(q)
        if status:
            versions = versions.filter(status=status)
        if system:
            versions = versions.filter(systems__slug=system)
        return versions

    def for_list(self):
        return self.select_related("author", "approved_by", "organization").prefetch_related(
            "systems"
        )


class ScopeVersion(AddressesRequirements):
    """One version of the scope statement (4.3). A draft may change; an approved version never
    does; approving a draft supersedes the version approved before it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="scope_versions"
    )
    number = models.PositiveIntegerField("version")
    status = models.CharField(max_length=12, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    statement = text_field(
        "scope statement",
        help_text="The boundaries of the AI management system in a few sentences.",
    )
    systems = models.ManyToManyField(
        "inventory.AISystem",
        blank=True,
        related_name="scope_versions",
        verbose_name="AI systems in scope",
    )
    units = text_field("organizational units", help_text="Business units and functions covered.")
    sites = text_field(help_text="Locations covered: offices, data centres, contact centres.")
    activities = text_field(
        help_text="AI activities covered: design, development, procurement, operation, ..."
    )
    exclusions = text_field(
        "exclusions and reasons",
        help_text="What is left out, and why leaving it out does not weaken the AIMS.",
    )
    interfaces = text_field(
        "interfaces and dependencies",
        help_text="Where the scope meets activities outside it: suppliers, group functions, "
        "outsourced services.",
    )
    change_note = text_field(
        "what changed", max_length=2_000, help_text="What this version changes, and why."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    next_review = models.DateField(
        "next review",
        null=True,
        blank=True,
        help_text="Set a year after approval: the scope is looked at again at least yearly.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = ScopeQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = "scope version"
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="unique_scope_number"),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="approved"),
                name="one_approved_scope",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(status="draft"), name="one_scope_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"Scope v{self.number} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "scope_detail", kwargs={"org": self.organization.slug, "scope_version_id": self.pk}
        )

    @property
    def is_draft(self) -> bool:
        return self.status == ScopeStatus.DRAFT

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == ScopeStatus.APPROVED
            and self.next_review is not None
            and self.next_review < today
        )

    def as_text(self, system_names: list[str] | None = None) -> str:
        """The version as plain text, for document templates (``{{ scope }}``)."""
        if system_names is None:
            system_names = [s.name for s in self.systems.all()]
        parts = [self.statement.strip()]
        for label, value in (
            ("AI systems in scope", ", ".join(system_names)),
            ("Organizational units", self.units),
            ("Sites", self.sites),
            ("Activities", self.activities),
            ("Exclusions", self.exclusions),
            ("Interfaces and dependencies", self.interfaces),
        ):
            if value.strip():
                parts.append(f"{label}: {value.strip()}")
        return "\n\n".join(p for p in parts if p)


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


# --- A.8.5 / 4.2 Obligations -----------------------------------------------------------------


class ObligationKind(models.TextChoices):
    LAW = "law", "Law"
    REGULATION = "regulation", "Regulation"
    CONTRACT = "contract", "Contract"
    VOLUNTARY = "voluntary", "Voluntary commitment"


class Compliance(models.TextChoices):
    COMPLIANT = "compliant", "Compliant"
    PARTLY = "partly", "Partly compliant"
    NOT_COMPLIANT = "not_compliant", "Not compliant"
    NOT_ASSESSED = "not_assessed", "Not assessed"


class ObligationQuerySet(ReviewedQuerySet):
    def assessed(self):
        return self.exclude(compliance=Compliance.NOT_ASSESSED)

    def search(self, text: str):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text) | Q(reference__icontains=text) | Q(description__icontains=text)
        )

    def filtered(self, *, q="", kind="", compliance="", system="", owner=None, overdue=False):
        obligations = self.search(q)
        if kind:
            obligations = obligations.filter(kind=kind)
        if compliance:
            obligations = obligations.filter(compliance=compliance)
        if system:
            obligations = obligations.filter(systems__slug=system)
        if owner is not None:
            obligations = obligations.filter(owner=owner)
        if overdue:
            obligations = obligations.review_overdue()
        return obligations

    def for_list(self):
        return self.select_related("owner", "organization").prefetch_related("systems")

    def named(self, reference: str):
        return self.filter(reference__iexact=reference.strip())


class Obligation(AddressesRequirements):
    """A legal, regulatory, contractual or voluntary requirement the organization has taken on
    about its AI (4.2 c, A.8.5), with the systems it applies to and how compliance is shown."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="obligations"
    )
    kind = models.CharField(max_length=12, choices=ObligationKind.choices)
    title = models.CharField(max_length=TITLE)
    reference = models.CharField(
        max_length=TITLE, blank=True, help_text='Where it is written, e.g. "EU AI Act Art. 9".'
    )
    description = text_field(help_text="What the obligation asks of the organization.")
    systems = models.ManyToManyField(
        "inventory.AISystem",
        blank=True,
        related_name="obligations",
        verbose_name="AI systems it applies to",
    )
    owner = owner_field()
    how_shown = text_field(
        "how compliance is shown",
        help_text="The records, evidence or reports that show the obligation is met.",
    )
    compliance = models.CharField(
        "compliance status",
        max_length=15,
        choices=Compliance.choices,
        default=Compliance.NOT_ASSESSED,
    )
    review_date = review_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "title", "pk"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}" if self.reference else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "obligation_detail", kwargs={"org": self.organization.slug, "obligation_id": self.pk}
        )

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_date is not None and self.review_date < today
