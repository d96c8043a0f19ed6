"""Nonconformities and corrective actions (ISO/IEC 42001 clause 10.2).

A nonconformity is a requirement not met, found by an internal audit, a failed check run, an
incident, a concern, a management review or by hand. Its handling, in the order the standard
asks for it: react and contain (what was done at once), find the root cause (five whys, or free
text), take corrective actions (each with an owner and a due date), and review whether they
worked: an effectiveness review by someone who owns none of its actions.

Its status follows the handling (the services in ``services.py`` move it, nothing else)::

    open ──(an action added)──▶ actions in progress ──(every action done or cancelled,
    at least one done)──▶ awaiting effectiveness review ──(reviewed: effective)──▶ effective
    ──(closed)──▶ closed

* reviewed *not effective*: back to **open**; it needs new corrective actions;
* an action added or reopened: back to **actions in progress** (an earlier effective review
  no longer counts: the handling changed after it);
* every action cancelled, none done: back to **open**;
* closed is final: a new failure of the same kind is a new nonconformity.

It can be closed only when effective, that is once every action is done or cancelled (one at
least done) and the effectiveness review since confirmed it (:func:`closure_refusal`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements
from aims.core.fields import text_field


class Source(models.TextChoices):
    AUDIT = "audit", "Internal audit"
    CHECK = "check", "Failed check run"
    INCIDENT = "incident", "Incident"
    CONCERN = "concern", "Complaint or concern"
    REVIEW = "review", "Management review"
    OTHER = "other", "Raised by hand"


class Severity(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "Actions in progress"
    REVIEW = "review", "Awaiting effectiveness review"
    EFFECTIVE = "effective", "Effective, ready to close"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.REVIEW, Status.EFFECTIVE)

# Five whys: at most this many why/because steps, each part at most this long.
MAX_WHYS = 5
WHY_MAX_LENGTH = 1_000


class NonconformityQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.exclude(status=Status.CLOSED)

    def closed(self):
        return self.filter(status=Status.CLOSED)

    def with_overdue(self, today):
        """Those with at least one corrective action open past its due date."""
        return self.filter(
            pk__in=CorrectiveAction.objects.overdue(today).values("nonconformity_id")
        )

    def filtered(
        self,
        *,
        q=None,
        status=None,
        source=None,
        severity=None,
        system=None,
        overdue_on=None,
    ):
        """The nonconformities matching the register's filters (page, export and API)."""
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(
                Q(ref__iexact=q)
                | Q(title__icontains=q)
                | Q(description__icontains=q)
                | Q(root_cause__icontains=q)
            )
        if status == "not_closed":
            found = found.open()
        elif status:
            found = found.filter(status=status)
        if source:
            found = found.filter(source=source)
        if severity:
            found = found.filter(severity=severity)
        if system is not None:
            found = found.filter(system=system)
        if overdue_on is not None:
            found = found.with_overdue(overdue_on)
        return found


class Nonconformity(AddressesRequirements):
    """A requirement not met (10.2), its reaction, root cause, corrective actions and
    effectiveness review. ``clauses`` and ``controls`` are the requirements not met."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="nonconformities"
    )
    ref = models.CharField("id", max_length=20, editable=False)
    title = models.CharField(max_length=200)
    description = text_field(10_000, "what is not met", blank=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OTHER)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MINOR)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_nonconformities",
        help_text="The member who sees the handling through.",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="raised by",
    )
    raised_on = models.DateField("raised on", default=timezone.localdate)
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
        verbose_name="AI system",
    )
    # Named so because a model may not have a field called "check" (Model.check()).
    check_definition = models.ForeignKey(
        "checks.Check",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
        verbose_name="check",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
    )
    concern = models.ForeignKey(
        "incidents.Concern",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nonconformities",
    )
    # Reaction (10.2 a)
    containment = text_field(
        5_000,
        "reaction and containment",
        help_text="What was done at once to control and correct it, and to deal with the "
        "consequences.",
    )
    # Root cause (10.2 b)
    whys = models.JSONField(
        "five whys",
        default=list,
        blank=True,
        help_text="Up to five why/because steps, each {'why': ..., 'because': ...}.",
    )
    root_cause = text_field(
        5_000,
        "root cause",
        help_text="The cause found: the conclusion of the five whys, or the analysis as text.",
    )
    similar_elsewhere = text_field(
        2_000,
        "could it occur elsewhere",
        help_text="Whether similar nonconformities exist or could occur, and where.",
    )
    closed_on = models.DateField("closed on", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NonconformityQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name_plural = "nonconformities"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "ref"], name="nonconformity_ref_unique_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.title}" if self.ref else self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "nonconformity_detail",
            kwargs={"org": self.organization.slug, "nonconformity_id": self.pk},
        )

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def is_major(self) -> bool:
        return self.severity == Severity.MAJOR

    def why_steps(self) -> list[dict]:
        """The five whys as stored: a list of {"why", "because"} (tolerant of odd data)."""
        steps = self.whys if isinstance(self.whys, list) else []
        return [
            {"why": str(s.get("why", "")), "because": str(s.get("because", ""))}
            for s in steps
            if isinstance(s, dict)
        ]


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CorrectiveActionQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def done(self):
        return self.filter(status=ActionStatus.DONE)

    def overdue(self, today):
        """Open actions past their due date (``today`` is a date)."""
        return self.open().filter(due_date__lt=today)


class CorrectiveAction(models.Model):
    """An action that removes the cause of a nonconformity (10.2 c), with its owner and due
    date. Done needs a note of what was done; cancelled needs the reason."""

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, related_name="actions"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField("action", max_length=200)
    description = text_field(5_000, "details")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corrective_actions",
    )
    due_date = models.DateField("due date")
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField("done on", null=True, blank=True)
    note = text_field(
        2_000, "outcome", help_text="What was done; or, for a cancelled action, why it was dropped."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        ref = self.nonconformity.ref if self.nonconformity_id else ""
        return f"{ref} action: {self.title}" if ref else self.title

    def get_absolute_url(self) -> str:
        return self.nonconformity.get_absolute_url() + f"#action-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class Verdict(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class EffectivenessReview(models.Model):
    """Whether the corrective actions worked (10.2 d), judged after they are done by someone
    who owns none of them, with the evidence of why. Not effective reopens the nonconformity."""

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, related_name="reviews"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    evidence = text_field(
        5_000,
        "evidence",
        blank=False,
        help_text="Why: what was looked at, and what it showed.",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_on = models.DateField("reviewed on", default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        ref = self.nonconformity.ref if self.nonconformity_id else ""
        return f"{ref} effectiveness review: {self.get_verdict_display()}"

    def get_absolute_url(self) -> str:
        return self.nonconformity.get_absolute_url() + "#effectiveness"

    @property
    def effective(self) -> bool:
        return self.verdict == Verdict.EFFECTIVE


class RunNote(models.Model):
    """What a check run meant for the nonconformity its check raised: the failure that opened
    it, a failing rerun added to it, or a passing rerun noted (which does not close it)."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Failed: raised the nonconformity"
        FAILED_AGAIN = "failed_again", "Failed again"
        PASSED = "passed", "Passed (noted; it does not close the nonconformity)"

    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, related_name="run_notes"
    )
    run = models.ForeignKey(
        "checks.CheckRun", on_delete=models.CASCADE, related_name="nonconformity_notes"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["run__started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nonconformity", "run"], name="one_note_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"
