from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class OrganizationRole(models.TextChoices):
    DEVELOPER = "developer", "AI developer"
    PROVIDER = "provider", "AI provider"
    DEPLOYER = "deployer", "AI deployer / user"


class RiskTier(models.TextChoices):
    """Risk classification under the EU AI Act; a new system is not classified yet, and cannot
    leave planning until it is (the stage gate, :mod:`aims.inventory.gates`)."""

    PROHIBITED = "prohibited", "Prohibited"
    HIGH = "high", "High risk"
    LIMITED = "limited", "Limited risk"
    MINIMAL = "minimal", "Minimal risk"
    UNCLASSIFIED = "unclassified", "Not yet classified"


class Automation(models.TextChoices):
    ADVISORY = "advisory", "Decision support: a person decides"
    HUMAN_IN_LOOP = "in_the_loop", "Human in the loop: a person approves each decision"
    HUMAN_ON_LOOP = "on_the_loop", "Human on the loop: a person monitors and can override"
    AUTONOMOUS = "autonomous", "Fully automated"


class Stage(models.TextChoices):
    PLANNING = "planning", "Planning and design"
    DEVELOPMENT = "development", "Development and training"
    VALIDATION = "validation", "Verification and validation"
    DEPLOYMENT = "deployment", "Deployment"
    OPERATION = "operation", "Operation and monitoring"
    RETIRED = "retired", "Retired"

    @classmethod
    def sequence(cls) -> list["Stage"]:
        return list(cls)

    @property
    def index(self) -> int:
        return list(Stage).index(self)


class AISystemQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.exclude(stage=Stage.RETIRED)

    def search(self, text: str):
        text = text.replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text) | Q(purpose__icontains=text) | Q(slug__icontains=text)
        )

    def filtered(self, *, q: str = "", stage: str = "", tier: str = "", owner=None):
        """The inventory's list filters, one rule for the page and the API: a search word, a
        stage, an EU AI Act tier, and an owner (a user id, or "none" for systems without)."""
        systems = self.search(q or "")
        if stage:
            systems = systems.filter(stage=stage)
        if tier:
            systems = systems.filter(risk_tier=tier)
        if owner == "none":
            systems = systems.filter(owner__isnull=True)
        elif owner:
            systems = systems.filter(owner_id=int(owner))
        return systems


class AISystem(models.Model):
    """An AI system in the organization's inventory (clause 8, A.6, A.9.4)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ai_systems"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80,
        help_text="Short id used by pipelines and the API, unique in the organization.",
    )
    purpose = models.TextField(
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        help_text="What the system is for and the decisions it supports.",
    )
    intended_use = models.TextField(
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        blank=True,
        help_text="Who uses it, for what, in which context, and within which limits.",
    )
    foreseeable_misuse = models.TextField(
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        blank=True,
        help_text="Uses that are reasonably foreseeable but not intended.",
    )
    technique = models.CharField(
        "AI technique",
        max_length=200,
        blank=True,
        help_text="For example gradient-boosted trees, logistic regression, large language model.",
    )
    organization_role = models.CharField(
        "our role",
        max_length=20,
        choices=OrganizationRole.choices,
        default=OrganizationRole.DEVELOPER,
    )
    risk_tier = models.CharField(
        "EU AI Act risk tier",
        max_length=20,
        choices=RiskTier.choices,
        default=RiskTier.UNCLASSIFIED,
    )
    automation = models.CharField(
        "level of automation",
        max_length=20,
        choices=Automation.choices,
        default=Automation.ADVISORY,
    )
    human_oversight = models.TextField(
        "human oversight mechanism",
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        blank=True,
        help_text="How people supervise, override or stop the system.",
    )
    affected_stakeholders = models.TextField(
        blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)]
    )
    affects_individuals = models.BooleanField(
        "affects individuals",
        default=False,
        help_text="The system's outputs affect decisions about natural persons.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_ai_systems",
    )
    datasets = models.TextField(
        "data sets", blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)]
    )
    models_used = models.TextField(
        "models", blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)]
    )
    third_parties = models.TextField(
        "third parties involved",
        blank=True,
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
    )
    version = models.CharField(
        max_length=50,
        blank=True,
        help_text="The version in use or being built, for example 4.2. Impact assessments and "
        "technical documentation are written for a version.",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNING)
    # When the system last changed in a way that asks for its risks and impacts to be assessed
    # again: created, moved to another stage, a new version or a new intended use. Sign-offs of
    # assessments made before it no longer count (:meth:`basis_changed`).
    basis_changed_at = models.DateTimeField(
        "last material change", default=timezone.now, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at", "basis_changed_at")

    # The fields whose change asks for the risks and impacts to be assessed again.
    MATERIAL_FIELDS = ("version", "intended_use", "foreseeable_misuse")

    objects = AISystemQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "AI system"
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_system_slug")
        ]
        indexes = [
            # The inventory's order: a page of the list, or the first choices of a filter, read
            # from the index at 10,000 systems instead of sorting them all.
            models.Index(fields=["organization", "name"], name="system_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "system_detail", kwargs={"org": self.organization.slug, "system_id": self.pk}
        )

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    def next_stage(self) -> Stage | None:
        stages = Stage.sequence()
        index = self.stage_enum.index
        if self.stage == Stage.RETIRED or index + 1 >= len(stages) - 1:
            return None
        return stages[index + 1]

    def assessed_since_change(self, when) -> bool:
        """Whether an assessment signed at ``when`` still counts: made after the system's last
        material change (stage, version, intended use)."""
        return when is not None and when >= self.basis_changed_at

    def gate(self, stage: str):
        """The gate requirements for entering ``stage``, each with whether it is met."""
        from .gates import evaluate

        return evaluate(self, Stage(stage))

    def can_enter(self, stage: str) -> bool:
        return all(result.met for result in self.gate(stage))


class LifecycleTransition(models.Model):
    system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(max_length=10_000, validators=[MaxLengthValidator(10_000)])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.system}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
