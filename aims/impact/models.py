"""AI system impact assessments (ISO/IEC 42001 6.1.4, 8.4, A.5.2 to A.5.5).

An assessment is written for one AI system at one version: what the system is for and how it
may be misused, who it affects, and one finding per impact dimension (fairness, privacy,
safety, ...) with its consequences, severity, likelihood, mitigations and residual impact. It
is signed off by a member with decision authority who neither wrote nor last edited it; a
signed-off assessment no longer changes: a reassessment copies it into a new draft, and the
old one is superseded when the new one is signed off.

An assessment is *current* (:meth:`ImpactAssessment.is_current`) when it is signed off, the
system has not changed materially since (its stage, version or intended use:
:meth:`aims.inventory.models.AISystem.assessed_since_change`) and its next reassessment date
has not passed. The stage gate into deployment asks for a current one
(:mod:`aims.impact.gates`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field
from aims.inventory.models import OrganizationRole, RiskTier, Stage

TEXT = 10_000
NOTICE_DAYS = 30  # a reassessment date shows as due this long before it passes
REASSESS_MONTHS = 12  # the next reassessment, after a sign-off, unless changed


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    SIGNED_OFF = "signed_off", "Signed off"
    SUPERSEDED = "superseded", "Superseded"


# The statuses in which an assessment is still being written (and may be edited).
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED)


class Currency(models.TextChoices):
    """Where a signed-off assessment stands (the list's filter)."""

    CURRENT = "current", "Current"
    DUE = "due", "Reassessment due"
    OVERDUE = "overdue", "Reassessment overdue"


class Dimension(models.TextChoices):
    FAIRNESS = "fairness", "Fairness and non-discrimination"
    PRIVACY = "privacy", "Privacy and data protection"
    SAFETY = "safety", "Safety and health"
    RIGHTS = "rights", "Fundamental rights and autonomy"
    ECONOMIC = "economic", "Economic"
    ENVIRONMENTAL = "environmental", "Environmental"
    TRANSPARENCY = "transparency", "Transparency and recourse"
    SOCIETAL = "societal", "Societal"


class Severity(models.IntegerChoices):
    NEGLIGIBLE = 1, "1 · Negligible"
    MINOR = 2, "2 · Minor"
    MODERATE = 3, "3 · Moderate"
    MAJOR = 4, "4 · Major"
    SEVERE = 5, "5 · Severe"


class Likelihood(models.IntegerChoices):
    RARE = 1, "1 · Rare"
    UNLIKELY = 2, "2 · Unlikely"
    POSSIBLE = 3, "3 · Possible"
    LIKELY = 4, "4 · Likely"
    ALMOST_CERTAIN = 5, "5 · Almost certain"


class Residual(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    UNACCEPTABLE = "unacceptable", "Unacceptable"


def needs_assessment(system) -> bool:
    """Whether the deployment gate asks ``system`` for an impact assessment: it affects
    individuals, or it is high risk under the EU AI Act."""
    return bool(system.affects_individuals) or system.risk_tier == RiskTier.HIGH


class AssessmentQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def signed_off(self):
        return self.filter(status=Status.SIGNED_OFF)

    def _unchanged(self):
        return Q(signed_at__gte=F("system__basis_changed_at"))

    def current(self, today=None):
        """Signed off, the system unchanged since, and not past the reassessment date."""
        today = today or timezone.localdate()
        return self.signed_off().filter(self._unchanged(), next_reassessment__gte=today)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.signed_off().filter(next_reassessment__lt=today)

    def due(self, today=None):
        """Signed off, not overdue, and either stale (the system changed) or with its
        reassessment date within :data:`NOTICE_DAYS`."""
        today = today or timezone.localdate()
        horizon = today + dt.timedelta(days=NOTICE_DAYS)
        return (
            self.signed_off()
            .filter(next_reassessment__gte=today)
            .filter(~self._unchanged() | Q(next_reassessment__lte=horizon))
        )

    def with_currency(self, currency: str, today=None):
        """The list's currency filter: current (and not due soon), due, overdue."""
        today = today or timezone.localdate()
        if currency == Currency.OVERDUE:
            return self.overdue(today)
        if currency == Currency.DUE:
            return self.due(today)
        if currency == Currency.CURRENT:
            horizon = today + dt.timedelta(days=NOTICE_DAYS)
            return self.current(today).filter(next_reassessment__gt=horizon)
        return self

    def filtered(self, *, q=None, system=None, status=None, currency=None, today=None):
        """The assessments matching the list's filters, for the page, its export and the API."""
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(
                Q(title__icontains=q)
                | Q(system__name__icontains=q)
                | Q(affected_individuals__icontains=q)
                | Q(affected_groups__icontains=q)
            )
        if system is not None:
            found = found.filter(system=system)
        if status:
            found = found.filter(status=status)
        if currency:
            found = found.with_currency(currency, today)
        return found


class ImpactAssessment(AddressesRequirements):
    """An assessment of the impacts of an AI system, at one version, on individuals, groups and
    society (6.1.4, 8.4, A.5.2 to A.5.5)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="impact_assessments"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="impact_assessments",
        verbose_name="AI system",
    )
    system_version = models.CharField(
        "system version",
        max_length=50,
        blank=True,
        help_text="The version of the system assessed; the system's version when left empty.",
    )
    title = models.CharField(max_length=200)
    intended_use = text_field(
        TEXT, help_text="Who uses the system, for what and within which limits."
    )
    foreseeable_misuse = text_field(
        TEXT, help_text="Uses that are reasonably foreseeable but not intended."
    )
    affected_individuals = text_field(
        TEXT, "affected individuals", help_text="The people the system's outputs concern (A.5.4)."
    )
    affected_groups = text_field(
        TEXT,
        "affected groups",
        help_text="Groups of people that may be affected differently: by age, sex, disability, "
        "origin, income …",
    )
    affected_society = text_field(
        TEXT, "effects on society", help_text="Wider effects on society (A.5.5)."
    )
    # For the fundamental rights impact assessment (EU AI Act Art. 27): what the dimensions do
    # not already say.
    deployer_process = text_field(
        TEXT,
        "deployer's process",
        help_text="The deployer's process in which the system is used, in line with its "
        "intended purpose (Art. 27 (1) a).",
    )
    period_of_use = text_field(
        TEXT,
        "period and frequency of use",
        help_text="For how long, and how often, the system is intended to be used (Art. 27 (1) b).",
    )
    persons_affected = text_field(
        TEXT,
        "categories of persons and groups affected",
        help_text="The categories of natural persons and groups likely to be affected by its use "
        "in this context (Art. 27 (1) c).",
    )
    specific_risks = text_field(
        TEXT,
        "specific risks of harm",
        help_text="The specific risks of harm to those categories, taking into account the "
        "provider's information (Art. 27 (1) d).",
    )
    oversight_measures = text_field(
        TEXT,
        "human oversight measures",
        help_text="The human oversight measures, according to the instructions for use "
        "(Art. 27 (1) e).",
    )
    remedy_measures = text_field(
        TEXT,
        "measures if risks materialise",
        help_text="What is done if the risks materialise, including internal governance and "
        "complaint mechanisms (Art. 27 (1) f).",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="last edited by",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="signed off by",
    )
    signed_at = models.DateTimeField("signed off at", null=True, blank=True)
    signer_authority = models.CharField("authority of the signer", max_length=200, blank=True)
    signed_version = models.CharField("system version at sign-off", max_length=50, blank=True)
    signed_stage = models.CharField(
        "system stage at sign-off", max_length=20, choices=Stage.choices, blank=True
    )
    next_reassessment = models.DateField(
        "next reassessment",
        null=True,
        blank=True,
        help_text=f"When it is assessed again; {REASSESS_MONTHS} months after sign-off unless "
        "you choose another date.",
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reassessments",
        help_text="The assessment this one reassesses.",
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "impact assessment"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "impact_detail", kwargs={"org": self.organization.slug, "assessment_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_stale(self) -> bool:
        """Signed off before the system's last material change."""
        return self.status == Status.SIGNED_OFF and not self.system.assessed_since_change(
            self.signed_at
        )

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == Status.SIGNED_OFF
            and self.next_reassessment is not None
            and self.next_reassessment < today
        )

    def is_current(self, today=None) -> bool:
        return (
            self.status == Status.SIGNED_OFF
            and not self.is_stale
            and not self.is_overdue(today)
            and self.next_reassessment is not None
        )

    def currency(self, today=None) -> Currency | None:
        """Current, due or overdue for a signed-off assessment; None otherwise."""
        today = today or timezone.localdate()
        if self.status != Status.SIGNED_OFF:
            return None
        if self.is_overdue(today):
            return Currency.OVERDUE
        horizon = today + dt.timedelta(days=NOTICE_DAYS)
        if self.is_stale or (self.next_reassessment and self.next_reassessment <= horizon):
            return Currency.DUE
        return Currency.CURRENT

    def fria_applies(self) -> bool:
        """EU AI Act Art. 27: deployers of high-risk systems assess fundamental rights."""
        return (
            self.system.risk_tier == RiskTier.HIGH
            and self.system.organization_role == OrganizationRole.DEPLOYER
        )


class ImpactFinding(models.Model):
    """What an assessment found for one impact dimension."""

    assessment = models.ForeignKey(
        ImpactAssessment, on_delete=models.CASCADE, related_name="findings"
    )
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    not_relevant = models.BooleanField(
        "not relevant", default=False, help_text="The system has no impact of this kind."
    )
    not_relevant_reason = text_field(
        2_000, "why not relevant", help_text="Required when the dimension is not relevant."
    )
    consequences = text_field(
        TEXT, "potential consequences", help_text="What could happen, to whom."
    )
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField(choices=Likelihood.choices, null=True, blank=True)
    existing_mitigations = text_field(TEXT, "existing mitigations")
    planned_mitigations = text_field(TEXT, "planned mitigations")
    residual = models.CharField(
        "residual impact", max_length=20, choices=Residual.choices, blank=True
    )
    residual_note = text_field(TEXT, "residual assessment", help_text="Why this residual level.")
    risks = models.ManyToManyField(
        "risk.Risk",
        blank=True,
        related_name="impact_findings",
        help_text="Risks of the register raised from this finding.",
    )

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = "impact assessment finding"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="one_finding_per_dimension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment.title}: {self.get_dimension_display()}"

    def get_absolute_url(self) -> str:
        return f"{self.assessment.get_absolute_url()}#finding-{self.dimension}"

    @property
    def organization(self):
        return self.assessment.organization

    def problems(self) -> dict[str, str]:
        """What is missing before the assessment can be submitted, by field."""
        if self.not_relevant:
            if not self.not_relevant_reason.strip():
                return {"not_relevant_reason": "Say why this dimension is not relevant."}
            return {}
        missing = {}
        if not self.consequences.strip():
            missing["consequences"] = "Describe the potential consequences."
        if self.severity is None:
            missing["severity"] = "Choose a severity."
        if self.likelihood is None:
            missing["likelihood"] = "Choose a likelihood."
        if not self.residual:
            missing["residual"] = "Choose the residual impact."
        return missing
