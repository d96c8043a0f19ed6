"""The EU AI Act alongside ISO/IEC 42001: each AI system's classification under the Act, and the
records the Act asks for that the rest of the AIMS does not already keep.

* :class:`Classification`: the questionnaire's answers for one system, the tier, duties and
  reasons they give, signed by someone with authority. Versioned: a new one supersedes the
  signed one. It stops counting when the system's intended use or role changes
  (:meth:`Classification.is_stale`). One that claims the Art. 6(3) exception is the documented
  "not high-risk" assessment of Art. 6(4).
* Provider records: :class:`ConformityAssessment` (Art. 43), :class:`Declaration` (Art. 47, with
  the CE marking of Art. 48), :class:`Registration` (Art. 49), :class:`MonitoringPlan` (Art. 72).
* Records of providers and deployers alike: :class:`TransparencyNotice` (Art. 50, 26(11)),
  :class:`OversightMeasure` (Art. 14, 26(2)), :class:`LogRetention` (Art. 19, 26(6)),
  :class:`RecourseChannel` and :class:`RecourseRequest` (Art. 86; ISO/IEC 42001 A.8.2, A.9).
* Of the organization: :class:`RegulatoryChange` (the regulatory watch, which feeds the
  management review) and :class:`ActProfile` (turnover and size, for the fine exposure).

What the Act obliges each system to do is computed from these, not stored:
:mod:`aims.euaiact.obligations`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from aims.core.fields import text_field
from aims.inventory.models import RiskTier

from . import questionnaire

TEXT = 10_000
SHORT = 200
# Deployers keep the logs under their control at least this long (Art. 26(6)): six months.
MIN_DEPLOYER_RETENTION_DAYS = 183
RECOURSE_DEFAULT_DAYS = 30
MAX_TURNOVER = 10**13  # EUR


def _user(related_name="+", verbose_name=None, **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )


def _system(related_name: str):
    return models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name="AI system",
    )


def _org(related_name: str):
    return models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name=related_name
    )


class ForOrgQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def for_system(self, system):
        return self.filter(system=system)


class SystemRecord(models.Model):
    """A record the Act asks for about one AI system, shown on the system's EU AI Act page."""

    # The route of a record's page, and the URL parameter naming the record in it.
    route = ""
    param = ""

    objects = ForOrgQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(
            self.route,
            kwargs={
                "org": self.organization.slug,
                "system_id": self.system_id,
                self.param: self.pk,
            },
        )


# --- Classification -----------------------------------------------------------------------------


class ClassificationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"
    SUPERSEDED = "superseded", "Superseded"


class ClassificationQuerySet(ForOrgQuerySet):
    def signed(self):
        return self.filter(status=ClassificationStatus.SIGNED)


# The system's fields that the classification rests on: when one changes, it is done again.
BASIS_FIELDS = ("purpose", "intended_use", "foreseeable_misuse", "organization_role")


def basis_of(system) -> dict:
    return {name: getattr(system, name) for name in BASIS_FIELDS}


class Classification(models.Model):
    """One assessment of an AI system under the EU AI Act: answers, outcome and signature."""

    organization = _org("act_classifications")
    system = _system("act_classifications")
    number = models.PositiveIntegerField(help_text="Version of the system's classification.")
    questionnaire_version = models.PositiveSmallIntegerField(default=questionnaire.VERSION)
    answers = models.JSONField(default=dict, blank=True)
    tier = models.CharField("risk tier", max_length=20, choices=RiskTier.choices)
    roles = models.JSONField(default=list, blank=True)
    duties = models.JSONField("transparency duties", default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    exception = models.CharField(
        "Art. 6(3) exception",
        max_length=30,
        choices=[(o.code, o.label) for o in questionnaire.EXCEPTIONS],
        default=questionnaire.NO_EXCEPTION,
    )
    fria = models.BooleanField("fundamental rights impact assessment due", default=False)
    gpai = models.CharField(
        "general-purpose AI model",
        max_length=20,
        choices=[(o.code, o.label) for o in questionnaire.GPAI],
        default=questionnaire.NO_GPAI,
    )
    basis = models.JSONField(
        default=dict,
        blank=True,
        help_text="The system's purpose, intended use and role when assessed.",
    )
    status = models.CharField(
        max_length=12, choices=ClassificationStatus.choices, default=ClassificationStatus.DRAFT
    )
    note = text_field(TEXT, help_text="Anything the signer should know.")
    prepared_by = _user()
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = _user()
    signed_at = models.DateTimeField(null=True, blank=True)
    signer_authority = models.CharField("authority of the signer", max_length=SHORT, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "number"], name="unique_act_classification_number"
            )
        ]

    def __str__(self) -> str:
        return f"EU AI Act classification {self.number} of {self.system}"

    def get_absolute_url(self) -> str:
        return reverse(
            "act_classification_detail",
            kwargs={
                "org": self.organization.slug,
                "system_id": self.system_id,
                "classification_id": self.pk,
            },
        )

    def outcome(self) -> questionnaire.Outcome:
        return questionnaire.classify(self.answers)

    def reason_list(self) -> list[questionnaire.Reason]:
        return [questionnaire.Reason(r["article"], r["text"]) for r in self.reasons]

    def changed_basis(self, system=None) -> list[str]:
        """The fields of the system that changed since it was signed (their labels)."""
        system = system or self.system
        now = basis_of(system)
        fields = system._meta
        return [
            str(fields.get_field(name).verbose_name)
            for name in BASIS_FIELDS
            if name in self.basis and self.basis[name] != now[name]
        ]

    def is_stale(self, system=None) -> bool:
        return self.status == ClassificationStatus.SIGNED and bool(self.changed_basis(system))

    @property
    def claims_exception(self) -> bool:
        return self.exception != questionnaire.NO_EXCEPTION

    def exception_label(self) -> str:
        if not self.claims_exception:
            return ""
        found = questionnaire.option("exception", self.exception)
        return f"{found.article}: {found.label}"

    def role_labels(self) -> list[str]:
        return [r.label.split(":")[0] for r in questionnaire.ROLES if r.code in self.roles]

    def duty_labels(self) -> list[str]:
        return [
            f"{o.article}: {questionnaire.DUTIES[o.code]}"
            for o in questionnaire.TRANSPARENCY
            if o.code in self.duties
        ]


# --- Provider records ---------------------------------------------------------------------------


class Procedure(models.TextChoices):
    INTERNAL = "internal", "Internal control (Annex VI)"
    NOTIFIED_BODY = "notified_body", "Assessment by a notified body (Annex VII)"
    PRODUCT_LAW = "product_law", "Under the Annex I product law's own procedure"


class AssessmentOutcome(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    PASSED = "passed", "Passed: in conformity"
    FAILED = "failed", "Failed: not in conformity"


class ConformityAssessment(SystemRecord):
    """How the high-risk system was shown to meet the Act's requirements (Art. 43)."""

    route = "act_conformity_edit"
    param = "conformity_id"

    organization = _org("act_conformity_assessments")
    system = _system("act_conformity_assessments")
    procedure = models.CharField(max_length=20, choices=Procedure.choices)
    notified_body = models.CharField(
        max_length=SHORT, blank=True, help_text="Its name and four-digit identification number."
    )
    assessed_on = models.DateField("date", null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=AssessmentOutcome.choices, default=AssessmentOutcome.PLANNED
    )
    certificate = models.CharField(
        max_length=SHORT, blank=True, help_text="The notified body's certificate number, if any."
    )
    certificate_expires = models.DateField("certificate valid until", null=True, blank=True)
    system_version = models.CharField(max_length=50, blank=True)
    note = text_field(TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"Conformity assessment of {self.system}: {self.get_outcome_display()}"

    def clean(self):
        errors = {}
        if self.procedure == Procedure.NOTIFIED_BODY and not self.notified_body.strip():
            errors["notified_body"] = "Name the notified body that assesses the system."
        if self.outcome in (AssessmentOutcome.PASSED, AssessmentOutcome.FAILED):
            if self.assessed_on is None:
                errors["assessed_on"] = "Give the date the assessment concluded."
            elif self.assessed_on > timezone.localdate():
                errors["assessed_on"] = "An assessment with an outcome is dated today or earlier."
        if (
            self.certificate_expires
            and self.assessed_on
            and self.certificate_expires <= self.assessed_on
        ):
            errors["certificate_expires"] = "The certificate expires after the assessment."
        if errors:
            raise ValidationError(errors)

    def is_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.outcome != AssessmentOutcome.PASSED:
            return False
        return self.certificate_expires is None or self.certificate_expires >= today


class Declaration(SystemRecord):
    """The EU declaration of conformity (Art. 47) and the CE marking (Art. 48)."""

    route = "act_declaration_edit"
    param = "declaration_id"

    organization = _org("act_declarations")
    system = _system("act_declarations")
    signed_on = models.DateField()
    signatory = models.CharField(
        max_length=SHORT, help_text="Who signed it for the provider: name and function."
    )
    provider = text_field(
        TEXT,
        "provider's name and address",
        blank=False,
        help_text="As on the declaration, and on the system or its packaging (Art. 16(b)).",
    )
    system_version = models.CharField(max_length=50, blank=True)
    reference = models.CharField(
        max_length=SHORT, blank=True, help_text="Where the signed declaration is kept."
    )
    ce_marked_on = models.DateField(
        "CE marking affixed on", null=True, blank=True, help_text="Art. 48."
    )
    note = text_field(TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"EU declaration of conformity of {self.system} ({self.signed_on})"

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.signed_on and self.signed_on > today:
            errors["signed_on"] = "A declaration is recorded once signed: today or earlier."
        if self.ce_marked_on and self.signed_on and self.ce_marked_on < self.signed_on:
            errors["ce_marked_on"] = "The CE marking follows the declaration: date it on or after."
        if errors:
            raise ValidationError(errors)


class RegistrationBasis(models.TextChoices):
    HIGH_RISK = "high_risk", "High-risk system (Art. 49(1))"
    NOT_HIGH_RISK = "not_high_risk", "Annex III system found not high-risk (Art. 49(2))"
    PUBLIC_DEPLOYER = "public_deployer", "Use by a public authority as deployer (Art. 49(3))"


class Registration(SystemRecord):
    """The system's entry in the EU database (Art. 49, 71)."""

    route = "act_registration_edit"
    param = "registration_id"

    organization = _org("act_registrations")
    system = _system("act_registrations")
    basis = models.CharField(max_length=20, choices=RegistrationBasis.choices)
    database_id = models.CharField("EU database id", max_length=SHORT)
    registered_on = models.DateField()
    note = text_field(TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-registered_on", "-pk"]

    def __str__(self) -> str:
        return f"EU database registration {self.database_id}"

    def clean(self):
        if self.registered_on and self.registered_on > timezone.localdate():
            raise ValidationError({"registered_on": "Record a registration once made."})


class MonitoringPlan(SystemRecord):
    """The post-market monitoring plan (Art. 72): what is watched once the system is in use.
    Its metrics are the system's own checks and the organization's KPIs."""

    route = "act_monitoring_edit"
    param = "monitoring_plan_id"

    organization = _org("act_monitoring_plans")
    system = _system("act_monitoring_plans")
    description = text_field(
        TEXT,
        blank=False,
        help_text="What data is collected from use, how it is analysed, and what triggers action.",
    )
    checks = models.ManyToManyField(
        "checks.Check", blank=True, related_name="+", verbose_name="checks of the system"
    )
    kpis = models.ManyToManyField(
        "objectives.KPI", blank=True, related_name="+", verbose_name="KPIs"
    )
    review_every_months = models.PositiveSmallIntegerField(
        "reviewed every (months)",
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    approved_by = _user()
    approved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Post-market monitoring plan of {self.system}"

    def clean(self):
        if self.approved_on and self.approved_on > timezone.localdate():
            raise ValidationError({"approved_on": "Record the approval once given."})
        if self.approved_on and self.approved_by_id is None:
            raise ValidationError({"approved_by": "Say who approved the plan."})


# --- Records of providers and deployers ---------------------------------------------------------


class NoticeDuty(models.TextChoices):
    INTERACTION = "interaction", "People are told they deal with an AI system (Art. 50(1))"
    SYNTHETIC = "synthetic_content", "Generated content is marked as such (Art. 50(2))"
    EMOTION = "emotion_biometric", "People exposed to emotion recognition are told (Art. 50(3))"
    DEEP_FAKE = "deep_fake", "Deep fakes and public-interest text are disclosed (Art. 50(4))"
    AFFECTED = "affected_persons", "People subject to its decisions are told (Art. 26(11))"
    WORKERS = "workers", "Workers and their representatives are told (Art. 26(7))"
    INSTRUCTIONS = "instructions", "Instructions for use given to deployers (Art. 13)"


class TransparencyNotice(SystemRecord):
    """A text shown to users or affected persons: what it says, where, and since when."""

    route = "act_notice_edit"
    param = "notice_id"

    organization = _org("act_notices")
    system = _system("act_notices")
    duty = models.CharField("duty it meets", max_length=20, choices=NoticeDuty.choices)
    text = text_field(TEXT, "text shown", blank=False)
    shown_where = models.CharField(
        "where it is shown", max_length=SHORT, help_text="The screen, letter, page or sign."
    )
    since = models.DateField("shown since")
    until = models.DateField("shown until", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["duty", "-since", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_duty_display()}: {self.shown_where}"

    def clean(self):
        if self.until and self.since and self.until < self.since:
            raise ValidationError({"until": "A notice is shown until a date after it started."})

    def is_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.since <= today and (self.until is None or self.until >= today)


class OversightMeasure(SystemRecord):
    """Who oversees the system, with what authority and training, and how they override it
    (Art. 14; for deployers Art. 26(2); ISO/IEC 42001 A.9.2)."""

    route = "act_oversight_edit"
    param = "measure_id"

    organization = _org("act_oversight_measures")
    system = _system("act_oversight_measures")
    person = _user(verbose_name="who oversees")
    role = models.CharField(
        max_length=SHORT, help_text="The role that oversees, e.g. “Credit officer on duty”."
    )
    authority = text_field(
        TEXT, blank=False, help_text="What they may decide: overrule, stop, escalate."
    )
    training = text_field(
        TEXT, blank=False, help_text="The training and competence they have for it."
    )
    override = text_field(
        TEXT,
        "how to override or stop",
        blank=False,
        help_text="How they disregard, reverse or stop the system's output in practice.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "pk"]

    def __str__(self) -> str:
        return f"Oversight: {self.role}"


class LogRetention(SystemRecord):
    """Where the system's automatically generated logs are kept, and for how long (Art. 12,
    19, 26(6))."""

    route = "act_logs_edit"
    param = "retention_id"

    organization = _org("act_log_retentions")
    system = _system("act_log_retentions")
    logs = models.CharField("logs kept", max_length=SHORT, help_text="Which events are logged.")
    location = models.CharField("kept where", max_length=SHORT)
    retention_days = models.PositiveIntegerField(
        "kept for (days)", validators=[MinValueValidator(1), MaxValueValidator(36_500)]
    )
    note = text_field(TEXT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["logs", "pk"]

    def __str__(self) -> str:
        return f"{self.logs}: {self.retention_days} days"


class RecourseChannel(SystemRecord):
    """How a person affected by the system's decisions asks for an explanation or contests a
    decision (Art. 86; ISO/IEC 42001 A.8.2)."""

    route = "act_recourse_channel"

    organization = _org("act_recourse_channels")
    system = models.OneToOneField(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="act_recourse_channel",
        verbose_name="AI system",
    )
    how_to_ask = text_field(
        TEXT, "how to ask", blank=False, help_text="What an affected person does, in plain words."
    )
    contact = models.CharField(max_length=SHORT, help_text="Address, form or phone number.")
    published_where = models.CharField(
        "published where", max_length=SHORT, help_text="Where affected persons learn of it."
    )
    response_days = models.PositiveSmallIntegerField(
        "answered within (days)",
        default=RECOURSE_DEFAULT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Explanation and recourse for {self.system}"

    def get_absolute_url(self) -> str:
        return reverse(
            self.route, kwargs={"org": self.organization.slug, "system_id": self.system_id}
        )


class RequestKind(models.TextChoices):
    EXPLANATION = "explanation", "Explanation of a decision"
    CONTEST = "contest", "Contesting a decision"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Explanation given"
    UPHELD = "upheld", "Decision upheld"
    CHANGED = "changed", "Decision changed"
    WITHDRAWN = "withdrawn", "Withdrawn"


CLOSED_REQUEST = (
    RequestStatus.ANSWERED,
    RequestStatus.UPHELD,
    RequestStatus.CHANGED,
    RequestStatus.WITHDRAWN,
)


class RecourseRequestQuerySet(ForOrgQuerySet):
    def open(self):
        return self.filter(status=RequestStatus.OPEN)

    def overdue(self, today: dt.date | None = None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class RecourseRequest(models.Model):
    """A request from an affected person: an explanation, or a decision contested."""

    organization = _org("act_recourse_requests")
    system = _system("act_recourse_requests")
    ref = models.CharField("reference", max_length=20)
    kind = models.CharField(max_length=12, choices=RequestKind.choices)
    received_on = models.DateField()
    requester = models.CharField(
        max_length=SHORT,
        help_text="A case or customer number, not the person's name: the rest stays in the "
        "system of record.",
    )
    summary = text_field(TEXT, "what is asked", blank=False)
    due_on = models.DateField("answer due")
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    handled_by = _user()
    answered_on = models.DateField(null=True, blank=True)
    outcome = text_field(TEXT, help_text="What was explained or decided, and why.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RecourseRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ref"], name="unique_recourse_request_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse(
            "act_request_detail",
            kwargs={"org": self.organization.slug, "recourse_request_id": self.pk},
        )

    def clean(self):
        errors = {}
        today = timezone.localdate()
        if self.received_on and self.received_on > today:
            errors["received_on"] = "A request is recorded once received: today or earlier."
        if self.due_on and self.received_on and self.due_on < self.received_on:
            errors["due_on"] = "The answer is due on or after the day the request came."
        if self.status != RequestStatus.OPEN and self.status != RequestStatus.WITHDRAWN:
            if self.answered_on is None:
                errors["answered_on"] = "Say when the request was answered."
            if not self.outcome.strip():
                errors["outcome"] = "Say what was explained or decided, and why."
        if self.answered_on and self.received_on and self.answered_on < self.received_on:
            errors["answered_on"] = "A request is answered after it came."
        if self.answered_on and self.answered_on > today:
            errors["answered_on"] = "Record the answer once given: today or earlier."
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == RequestStatus.OPEN and self.due_on < today


# --- Of the organization ------------------------------------------------------------------------


class ChangeSource(models.TextChoices):
    LAW = "law", "Law or regulation"
    DELEGATED = "delegated", "Delegated or implementing act"
    GUIDANCE = "guidance", "Guidance or guidelines"
    STANDARD = "standard", "Harmonised standard or common specification"
    COURT = "court", "Court or authority decision"
    OTHER = "other", "Other"


class ChangeStatus(models.TextChoices):
    ASSESSING = "assessing", "Effect being assessed"
    ACTING = "acting", "Actions under way"
    DONE = "done", "Done"
    NO_EFFECT = "no_effect", "No effect on us"


class RegulatoryChangeQuerySet(ForOrgQuerySet):
    def open(self):
        return self.filter(status__in=(ChangeStatus.ASSESSING, ChangeStatus.ACTING))


class RegulatoryChange(models.Model):
    """A change in law or guidance that may touch the AI systems, with its effect (the
    regulatory watch; ISO/IEC 42001 4.1, 6.3, 9.3.2 b)."""

    organization = _org("regulatory_changes")
    title = models.CharField(max_length=SHORT)
    source = models.CharField(max_length=12, choices=ChangeSource.choices)
    reference = models.CharField(
        max_length=SHORT, blank=True, help_text="E.g. “Commission guidelines on Art. 6, C(2026)”."
    )
    jurisdiction = models.CharField(max_length=100, default="EU")
    published_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField("applies from", null=True, blank=True)
    summary = text_field(TEXT, "what changes", blank=False)
    effect = text_field(TEXT, "effect on us", help_text="On which systems and obligations, how.")
    articles = models.CharField(
        "obligations touched",
        max_length=SHORT,
        blank=True,
        help_text="Articles of the Act it touches, e.g. “Art. 6, Art. 50”.",
    )
    systems = models.ManyToManyField(
        "inventory.AISystem", blank=True, related_name="regulatory_changes"
    )
    status = models.CharField(
        max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.ASSESSING
    )
    owner = _user()
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = RegulatoryChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "act_change_detail",
            kwargs={"org": self.organization.slug, "regulatory_change_id": self.pk},
        )


class ActProfile(models.Model):
    """What the fine exposure is computed from (Art. 99): the organization's worldwide annual
    turnover and whether it is an SME."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="act_profile"
    )
    annual_turnover = models.DecimalField(
        "worldwide annual turnover (EUR)",
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        # Beyond any company's turnover; and exact where SQLite stores it as a float.
        validators=[MinValueValidator(0), MaxValueValidator(MAX_TURNOVER)],
        help_text="Of the preceding financial year.",
    )
    is_sme = models.BooleanField(
        "small or medium-sized enterprise",
        default=False,
        help_text="For an SME or start-up the lower of the two amounts applies (Art. 99(6)).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    def __str__(self) -> str:
        return f"EU AI Act profile of {self.organization}"
