import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from aims.inventory.models import AISystem, Stage

DEFAULT_LIKELIHOOD = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
DEFAULT_IMPACT = ["Negligible", "Minor", "Moderate", "Major", "Severe"]


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


# The name of one likelihood or impact level (3 to 7 of each).
LEVEL_LABEL_MAX_LENGTH = 100


class RiskMatrix(models.Model):
    """How an organization scores risk: likelihood by impact, score bands and its risk appetite.

    A risk's score is likelihood × impact. Levels are computed from the bands when read, so a
    change to the matrix moves every existing risk to its new level at once.
    """

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="risk_matrix"
    )
    likelihood_labels = models.JSONField(default=list)
    impact_labels = models.JSONField(default=list)
    low_max = models.PositiveSmallIntegerField("highest low score", default=4)
    medium_max = models.PositiveSmallIntegerField("highest medium score", default=9)
    high_max = models.PositiveSmallIntegerField("highest high score", default=15)
    appetite = models.CharField(
        "risk appetite",
        max_length=10,
        choices=Level.choices,
        default=Level.MEDIUM,
        help_text="The highest level the organization accepts without a recorded decision.",
    )

    def __str__(self) -> str:
        return f"Risk matrix of {self.organization}"

    @classmethod
    def default_for(cls, organization) -> "RiskMatrix":
        return cls(
            organization=organization,
            likelihood_labels=list(DEFAULT_LIKELIHOOD),
            impact_labels=list(DEFAULT_IMPACT),
        )

    @property
    def likelihood_levels(self) -> int:
        return len(self.likelihood_labels)

    @property
    def impact_levels(self) -> int:
        return len(self.impact_labels)

    @property
    def max_score(self) -> int:
        return self.likelihood_levels * self.impact_levels

    def level_for(self, score: int | None) -> Level | None:
        if score is None:
            return None
        if score <= self.low_max:
            return Level.LOW
        if score <= self.medium_max:
            return Level.MEDIUM
        if score <= self.high_max:
            return Level.HIGH
        return Level.CRITICAL

    @property
    def appetite_max_score(self) -> int:
        return {
            Level.LOW: self.low_max,
            Level.MEDIUM: self.medium_max,
            Level.HIGH: self.high_max,
            Level.CRITICAL: self.max_score,
        }[Level(self.appetite)]

    def is_above_appetite(self, score: int | None) -> bool:
        return score is not None and score > self.appetite_max_score

    def likelihood_label(self, value: int | None) -> str:
        """``"4 · Likely"`` for likelihood 4; empty when not assessed."""
        return _scale_label(self.likelihood_labels, value)

    def impact_label(self, value: int | None) -> str:
        return _scale_label(self.impact_labels, value)

    def bands(self) -> list[tuple[Level, int, int]]:
        """Each level with its lowest and highest score."""
        return [
            (Level.LOW, 1, self.low_max),
            (Level.MEDIUM, self.low_max + 1, self.medium_max),
            (Level.HIGH, self.medium_max + 1, self.high_max),
            (Level.CRITICAL, self.high_max + 1, self.max_score),
        ]


def _scale_label(labels: list[str], value: int | None) -> str:
    if value is None:
        return ""
    if 0 < value <= len(labels):
        return f"{value} · {labels[value - 1]}"
    return str(value)


class Category(models.TextChoices):
    FAIRNESS = "fairness", "Fairness"
    PRIVACY = "privacy", "Privacy"
    SAFETY = "safety", "Safety"
    SECURITY = "security", "Security"
    TRANSPARENCY = "transparency", "Transparency"
    ACCOUNTABILITY = "accountability", "Accountability"
    LEGAL = "legal", "Legal and regulatory"
    OPERATIONAL = "operational", "Operational"
    REPUTATIONAL = "reputational", "Reputational"
    ENVIRONMENTAL = "environmental", "Environmental"


class Treatment(models.TextChoices):
    MODIFY = "modify", "Modify (reduce the risk with controls)"
    AVOID = "avoid", "Avoid (stop the activity)"
    SHARE = "share", "Share (transfer to a third party)"
    RETAIN = "retain", "Retain (accept the risk)"


class Status(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    IN_TREATMENT = "in_treatment", "In treatment"
    TREATED = "treated", "Treated, monitoring"
    CLOSED = "closed", "Closed"


class RiskQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def with_scores(self):
        """Annotate inherent and current score; the current one is residual once assessed."""
        inherent = F("inherent_likelihood") * F("inherent_impact")
        return self.annotate(
            inherent_score_db=inherent,
            current_score_db=Case(
                When(
                    residual_likelihood__isnull=False,
                    residual_impact__isnull=False,
                    then=F("residual_likelihood") * F("residual_impact"),
                ),
                default=inherent,
            ),
        )

    def with_acceptance(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        current = RiskAcceptance.objects.filter(
            risk=OuterRef("pk"),
            expires_on__gte=today,
            accepted_score__gte=OuterRef("current_score_db"),
        )
        scored = self if "current_score_db" in self.query.annotations else self.with_scores()
        return scored.annotate(has_current_acceptance=Exists(current))

    def above_appetite(self, matrix: RiskMatrix):
        return self.open().with_scores().filter(current_score_db__gt=matrix.appetite_max_score)

    def needs_decision(self, matrix: RiskMatrix):
        """Open risks above appetite with no current acceptance decision."""
        return self.above_appetite(matrix).with_acceptance().filter(has_current_acceptance=False)

    def assessed_for(self, system):
        """Risks of the register naming ``system`` with their likelihood and impact assessed:
        they show its risk assessment was made (the deployment gate)."""
        return self.filter(
            systems=system, inherent_likelihood__isnull=False, inherent_impact__isnull=False
        )

    def blocking_deployment(self, system):
        matrix = RiskMatrix.objects.get(organization_id=system.organization_id)
        return self.filter(systems=system).needs_decision(matrix).order_by("ref")

    def review_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(next_review__lt=today)

    def for_register(self):
        """What a register page or export reads of each risk, in a fixed number of queries:
        its AI systems in ``listed_systems`` (a list, by name; their names only). Not its
        organization: set the one in hand on each (its matrix gives the levels)."""
        systems = AISystem.objects.only("pk", "name")
        return (
            self.select_related("owner", "source")
            .prefetch_related(Prefetch("systems", queryset=systems, to_attr="listed_systems"))
            .with_acceptance()
        )

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(ref__icontains=text) | Q(title__icontains=text) | Q(description__icontains=text)
        )

    def at_level(self, matrix: RiskMatrix, level: str):
        """Risks whose current level (residual once assessed) is ``level`` under ``matrix``."""
        for band, lowest, highest in matrix.bands():
            if band == level:
                return self.with_scores().filter(
                    current_score_db__gte=lowest, current_score_db__lte=highest
                )
        return self.none()

    def in_cell(self, likelihood: int, impact: int, *, residual: bool = False):
        """Open risks in one heat map cell, as counted by :func:`aims.risk.heatmap.heatmap`."""
        prefix = "residual" if residual else "inherent"
        return self.open().filter(
            **{f"{prefix}_likelihood": likelihood, f"{prefix}_impact": impact}
        )

    def waiting_decision(self, matrix: RiskMatrix):
        """Like :meth:`needs_decision`, on a queryset already annotated by ``with_acceptance``."""
        return self.open().filter(
            current_score_db__gt=matrix.appetite_max_score, has_current_acceptance=False
        )


class Risk(models.Model):
    """An AI risk in the organization's register (6.1.2, 6.1.3, 8.2, 8.3)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="risks"
    )
    ref = models.CharField("id", max_length=20)
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, max_length=20_000, validators=[MaxLengthValidator(20_000)]
    )
    systems = models.ManyToManyField(
        "inventory.AISystem", blank=True, related_name="risks", verbose_name="affected AI systems"
    )
    source = models.ForeignKey(
        "catalog.RiskSource",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="risk source",
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    treatment = models.CharField(
        "treatment option", max_length=10, choices=Treatment.choices, blank=True
    )
    controls = models.ManyToManyField(
        "catalog.Control", blank=True, related_name="risks", verbose_name="Annex A controls"
    )
    treatment_plan = models.TextField(
        blank=True, max_length=20_000, validators=[MaxLengthValidator(20_000)]
    )
    treatment_due = models.DateField("treatment due", null=True, blank=True)
    # The treatment plan as approved by someone with authority (6.1.3 f); any change to the
    # plan after it clears the approval.
    plan_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="plan approved by",
    )
    plan_approved_at = models.DateTimeField("plan approved at", null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    next_review = models.DateField("next review", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="unique_risk_ref")
        ]
        indexes = [
            # Covers the heat maps and appetite counts: an index-only scan, not a table scan.
            models.Index(
                fields=[
                    "organization",
                    "status",
                    "inherent_likelihood",
                    "inherent_impact",
                    "residual_likelihood",
                    "residual_impact",
                ],
                name="risk_scores",
            ),
            models.Index(fields=["organization", "next_review"], name="risk_next_review"),
            # The global search (aims/search/engine.py) reads the searched fields and the key in
            # the organization's newest-first order from the index alone, never the table.
            models.Index(fields=["organization", "id", "title", "ref"], name="risk_search"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("risk_detail", kwargs={"org": self.organization.slug, "risk_id": self.pk})

    @property
    def matrix(self) -> RiskMatrix:
        return self.organization.risk_matrix

    @property
    def inherent_score(self) -> int:
        return self.inherent_likelihood * self.inherent_impact

    @property
    def residual_score(self) -> int | None:
        if self.residual_likelihood is None or self.residual_impact is None:
            return None
        return self.residual_likelihood * self.residual_impact

    @property
    def current_score(self) -> int:
        residual = self.residual_score
        return self.inherent_score if residual is None else residual

    def inherent_level(self) -> Level:
        return self.matrix.level_for(self.inherent_score)

    def residual_level(self) -> Level | None:
        return self.matrix.level_for(self.residual_score)

    def level(self) -> Level:
        """The level that counts now: residual once assessed, inherent before."""
        return self.matrix.level_for(self.current_score)

    def is_above_appetite(self) -> bool:
        return self.status != Status.CLOSED and self.matrix.is_above_appetite(self.current_score)

    def current_acceptance(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        for acceptance in self.acceptances.all():
            if acceptance.covers(self.current_score, today):
                return acceptance
        return None

    def treatment_name(self) -> str:
        """The treatment option in one word: Modify, Avoid, Share or Retain."""
        return self.get_treatment_display().split(" (")[0] if self.treatment else ""

    def is_review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status != Status.CLOSED
            and self.next_review is not None
            and self.next_review < today
        )

    def needs_decision(self) -> bool:
        """Above appetite and no current acceptance. Uses the annotation when present."""
        if not self.is_above_appetite():
            return False
        annotated = getattr(self, "has_current_acceptance", None)
        if annotated is not None:
            return not annotated
        return self.current_acceptance() is None


class RiskAcceptance(models.Model):
    """A decision, by someone with authority, to retain a risk above appetite until a date."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority = models.CharField(max_length=100)
    rationale = models.TextField(max_length=10_000, validators=[MaxLengthValidator(10_000)])
    accepted_score = models.PositiveSmallIntegerField(
        help_text="The risk score accepted; a higher score later needs a new decision."
    )
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Acceptance of {self.risk.ref} until {self.expires_on}"

    @property
    def organization(self):
        return self.risk.organization

    def covers(self, score: int, today: dt.date) -> bool:
        return self.expires_on >= today and self.accepted_score >= score


class SignOffQuerySet(models.QuerySet):
    def current_for(self, system):
        """The newest sign-off of ``system`` made in its present stage and since its last
        material change (a stage, a version, an intended use), or None: a change asks for a new
        assessment."""
        signed = self.filter(
            system=system, stage_at_signing=system.stage, signed_at__gte=system.basis_changed_at
        )
        return signed.order_by("-signed_at", "-pk").first()

    def with_current(self, system):
        """``system``'s sign-offs, each annotated ``is_current``: whether it counts now."""
        current = self.current_for(system)
        if current is None:
            is_current = Value(False, output_field=BooleanField())
        else:
            is_current = Case(
                When(pk=current.pk, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        return self.filter(system=system).annotate(is_current=is_current)


class RiskAssessmentSignOff(models.Model):
    """A signed conclusion, by someone with authority, that assessing an AI system's risks found
    none significant (6.1.2, 8.2). It counts for the deployment gate in place of assessed risks
    only in the stage it was signed in: once the system moves, it is assessed and signed again.
    A new version or intended use asks for it again too (``AISystem.basis_changed_at``)."""

    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="risk_signoffs"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority = models.CharField(max_length=100)
    conclusion = models.TextField(
        max_length=10_000,
        validators=[MaxLengthValidator(10_000)],
        help_text="What was assessed, how, and why no risk is significant.",
    )
    stage_at_signing = models.CharField(max_length=20, choices=Stage.choices)
    signed_at = models.DateTimeField(default=timezone.now)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        verbose_name = "risk assessment sign-off"

    def __str__(self) -> str:
        return f"No significant risks: {self.system} ({self.get_stage_at_signing_display()})"

    @property
    def organization(self):
        return self.system.organization
