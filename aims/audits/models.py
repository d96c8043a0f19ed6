"""The internal audit programme (ISO/IEC 42001 clause 9.2).

A programme plans the audits of one cycle (a year, say) so that, together, they cover every
requirement of the standard (the clauses 4.1 to 10.2 that carry requirements) and every Annex A
control the organization's SoA declares applicable: :mod:`aims.audits.coverage` says what the
cycle has planned and audited, and what it has not.

An audit has a scope (clauses and controls, the AI systems and processes sampled), criteria, a
lead auditor and a team, planned and actual dates. Its status::

    planned ──(started)──▶ in progress ──(completed: every item answered, a conclusion)──▶
    completed
    planned, in progress ──(cancelled, with the reason)──▶ cancelled

Its checklist is made from its scope: one item per clause and per control, with the questions
of :mod:`aims.audits.questions`. Each item gets a :class:`Result`; a major nonconformity opens a
nonconformity (clause 10.2) at once, a minor one may raise one, an opportunity for improvement
may go to the improvement register.

Independence (9.2.1 asks for auditors who are objective and impartial): no auditor of the team
may audit what they own or answer for; :mod:`aims.audits.independence` states the rules and
checks them.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.core.fields import text_field

TITLE_LENGTH = 200
START_NOTICE_DAYS = 14  # an audit shows in the reminders this long before it is due to start


# --- The programme -----------------------------------------------------------------------------


class AuditProgrammeQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def running_on(self, day: dt.date):
        """The programmes whose cycle includes ``day``."""
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def filtered(self, *, q=None):
        q = (q or "").replace("\x00", "").strip()
        if not q:
            return self
        return self.filter(
            Q(title__icontains=q) | Q(objectives__icontains=q) | Q(criteria__icontains=q)
        )


class AuditProgramme(models.Model):
    """The internal audits of one cycle (9.2.2): their objectives, criteria and who runs them."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="audit_programmes"
    )
    title = models.CharField(max_length=TITLE_LENGTH, help_text="Say which cycle: “2026”.")
    starts_on = models.DateField("cycle starts on")
    ends_on = models.DateField("cycle ends on")
    objectives = text_field(
        5_000,
        help_text="What the cycle's audits should establish: that the AIMS conforms to "
        "ISO/IEC 42001 and to the organization's own requirements, and is effectively "
        "implemented and maintained.",
    )
    criteria = text_field(
        5_000,
        "audit criteria",
        help_text="What the audits measure against: ISO/IEC 42001, the AI policy, procedures, "
        "legal requirements.",
    )
    method = text_field(
        5_000,
        "frequency and methods",
        help_text="How often each area is audited and how (interviews, sampling of records, "
        "observation), with the importance of the processes and the results of earlier audits "
        "in mind.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_audit_programmes",
        help_text="Who manages the programme.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = AuditProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = "audit programme"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "audit_programme_detail",
            kwargs={"org": self.organization.slug, "programme_id": self.pk},
        )

    def coverage_url(self) -> str:
        return reverse(
            "audit_programme_coverage",
            kwargs={"org": self.organization.slug, "programme_id": self.pk},
        )

    def includes(self, day: dt.date | None) -> bool:
        return day is not None and self.starts_on <= day <= self.ends_on


# --- Audits ------------------------------------------------------------------------------------


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


class AuditQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def completed(self):
        return self.filter(status=AuditStatus.COMPLETED)

    def active(self):
        """Planned or in progress."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def not_cancelled(self):
        return self.exclude(status=AuditStatus.CANCELLED)

    def overdue(self, today: dt.date):
        """Planned audits not started by their planned start; audits in progress past their
        planned end."""
        return self.filter(
            Q(status=AuditStatus.PLANNED, planned_start__lt=today)
            | Q(status=AuditStatus.IN_PROGRESS, planned_end__lt=today)
        )

    def starting_within(self, days: int, today: dt.date):
        """Planned audits due to start within ``days`` days, or already late."""
        return self.filter(
            status=AuditStatus.PLANNED, planned_start__lte=today + dt.timedelta(days=days)
        )

    def filtered(self, *, q=None, programme=None, status=None, lead=None, overdue_on=None):
        """The audits matching the list's filters: for the page, its export and the API."""
        audits = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            audits = audits.filter(
                Q(ref__iexact=q)
                | Q(title__icontains=q)
                | Q(scope__icontains=q)
                | Q(conclusion__icontains=q)
            )
        if programme is not None:
            audits = audits.filter(programme=programme)
        if status:
            audits = audits.filter(status=status)
        if lead is not None:
            audits = audits.filter(lead_auditor=lead)
        if overdue_on is not None:
            audits = audits.overdue(overdue_on)
        return audits


class Audit(models.Model):
    """One internal audit of the programme: its scope, its team, its checklist and conclusion.

    ``clauses`` and ``controls`` are the audit's scope (the requirements it examines), not
    requirements the audit record itself satisfies.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="audits"
    )
    programme = models.ForeignKey(
        AuditProgramme, on_delete=models.PROTECT, related_name="audits", verbose_name="programme"
    )
    ref = models.CharField("id", max_length=20, editable=False)
    title = models.CharField(max_length=TITLE_LENGTH)
    scope = text_field(
        5_000,
        "scope",
        help_text="What the audit covers, in words: units, sites, processes, period.",
    )
    criteria = text_field(
        5_000,
        "audit criteria",
        help_text="What it measures against; the programme's criteria when left empty.",
    )
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_audits",
        verbose_name="lead auditor",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="audit_teams",
        verbose_name="audit team",
        help_text="The other auditors; the lead auditor is counted already.",
    )
    planned_start = models.DateField("planned start")
    planned_end = models.DateField("planned end")
    started_on = models.DateField("started on", null=True, blank=True)
    completed_on = models.DateField("completed on", null=True, blank=True)
    clauses = models.ManyToManyField(
        "catalog.Clause",
        blank=True,
        related_name="audits",
        verbose_name="clauses in scope",
        help_text="The requirements of clauses 4 to 10 this audit examines.",
    )
    controls = models.ManyToManyField(
        "catalog.Control",
        blank=True,
        related_name="audits",
        verbose_name="Annex A controls in scope",
        help_text="The Annex A controls this audit examines.",
    )
    systems = models.ManyToManyField(
        "inventory.AISystem",
        blank=True,
        related_name="audits",
        verbose_name="AI systems sampled",
    )
    processes = text_field(
        5_000,
        "processes sampled",
        help_text="The processes and activities whose records the audit samples.",
    )
    status = models.CharField(
        max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    conclusion = text_field(
        10_000,
        help_text="The audit's conclusion: does the audited part of the AIMS conform, and is it "
        "effectively implemented and maintained?",
    )
    # What the app found when the audit was completed (the report states it).
    independence_statement = text_field(2_000, "independence statement")
    cancel_reason = text_field(2_000, "why it was cancelled")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["planned_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ref"], name="unique_audit_ref")
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}" if self.ref else self.title

    def get_absolute_url(self) -> str:
        return reverse("audit_detail", kwargs={"org": self.organization.slug, "audit_id": self.pk})

    def checklist_url(self) -> str:
        return reverse(
            "audit_checklist", kwargs={"org": self.organization.slug, "audit_id": self.pk}
        )

    def report_url(self) -> str:
        return reverse("audit_report", kwargs={"org": self.organization.slug, "audit_id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status == AuditStatus.COMPLETED

    @property
    def records_results(self) -> bool:
        """Whether results may be recorded now: only while the audit is in progress."""
        return self.status == AuditStatus.IN_PROGRESS

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        if self.status == AuditStatus.PLANNED:
            return self.planned_start < today
        if self.status == AuditStatus.IN_PROGRESS:
            return self.planned_end < today
        return False

    def effective_criteria(self) -> str:
        return self.criteria or self.programme.criteria


# --- The checklist -----------------------------------------------------------------------------


class Result(models.TextChoices):
    CONFORMING = "conforming", "Conforming"
    MINOR = "minor", "Minor nonconformity"
    MAJOR = "major", "Major nonconformity"
    OBSERVATION = "observation", "Observation"
    IMPROVEMENT = "improvement", "Opportunity for improvement"


# The results that are findings (everything but conforming), and those that are nonconformities.
FINDINGS = (Result.MINOR, Result.MAJOR, Result.OBSERVATION, Result.IMPROVEMENT)
NONCONFORMITIES = (Result.MAJOR, Result.MINOR)


class ChecklistItemQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(audit__organization=organization)

    def answered(self):
        return self.exclude(result="")

    def unanswered(self):
        return self.filter(result="")

    def findings(self):
        """Items whose result is a finding: a nonconformity, an observation or an opportunity
        for improvement."""
        return self.filter(result__in=FINDINGS)


class ChecklistItem(models.Model):
    """One line of an audit's checklist: a clause or a control in scope, the questions asked
    about it, the result, notes and the evidence sampled."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="items")
    clause = models.ForeignKey(
        "catalog.Clause", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    control = models.ForeignKey(
        "catalog.Control", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    questions = text_field(5_000, help_text="What the auditor asks and looks for.")
    result = models.CharField(max_length=12, choices=Result.choices, blank=True)
    notes = text_field(10_000, help_text="What was found, in words the auditee will read.")
    evidence_sampled = text_field(
        5_000,
        "evidence sampled",
        help_text="The records, interviews and observations the result rests on.",
    )
    evidence = models.ManyToManyField(
        "evidence.Evidence",
        blank=True,
        related_name="audit_items",
        verbose_name="evidence records",
    )
    nonconformity = models.ForeignKey(
        "nonconformities.Nonconformity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_findings",
    )
    improvement = models.ForeignKey(
        "improvement.Improvement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_findings",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        ordering = ["audit", "position", "pk"]
        verbose_name = "checklist item"
        constraints = [
            models.CheckConstraint(
                condition=Q(clause__isnull=False, control__isnull=True)
                | Q(clause__isnull=True, control__isnull=False),
                name="audit_item_of_one_requirement",
            ),
            models.UniqueConstraint(fields=["audit", "clause"], name="unique_audit_item_clause"),
            models.UniqueConstraint(fields=["audit", "control"], name="unique_audit_item_control"),
        ]

    def __str__(self) -> str:
        return f"{self.audit.ref} {self.requirement}"

    def get_absolute_url(self) -> str:
        return f"{self.audit.checklist_url()}#item-{self.pk}"

    @property
    def organization(self):
        return self.audit.organization

    @property
    def requirement(self):
        """The clause or the control the item examines."""
        return self.clause if self.clause_id else self.control

    @property
    def ref(self) -> str:
        return self.requirement.ref

    @property
    def is_finding(self) -> bool:
        return self.result in FINDINGS
