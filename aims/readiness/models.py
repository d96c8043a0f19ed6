"""Gap and readiness assessment: how far the AI management system is from certification.

An :class:`Assessment` rates every clause requirement (the leaf clauses 4.1 to 10.2 of the
catalog) and every Annex A control the Statement of Applicability does not exclude on one
maturity scale (:class:`Maturity`, 0 to 5). The app proposes a level for each item from the
other areas' records, with its reason (:mod:`aims.readiness.signals`); the assessor confirms the
proposal or overrides it with a note. A completed assessment no longer changes.

Gaps (items below :data:`TARGET_LEVEL`) lead to :class:`RoadmapAction` records with owners and
dates. The certification-readiness checklist (:mod:`aims.readiness.checklist`) is computed from
the data; a :class:`ChecklistTick` records a tick (or an untick) made by hand, with its note.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from aims.core.fields import text_field

TARGET_LEVEL = 3  # an item below this is a gap; at or above, it is in place
STRENGTH_LEVEL = 4  # an item at or above this is a strength


class Maturity(models.IntegerChoices):
    """The maturity scale of every item, 0 to 5."""

    NOT_STARTED = 0, "0 · Not started"
    INITIAL = 1, "1 · Initial"
    DEFINED = 2, "2 · Planned and documented"
    IMPLEMENTED = 3, "3 · Implemented"
    MEASURED = 4, "4 · Measured and evidenced"
    IMPROVING = 5, "5 · Improving"

    @property
    def short(self) -> str:
        return self.label.split(" · ", 1)[1]

    @property
    def description(self) -> str:
        return LEVEL_DESCRIPTIONS[self.value]


# What each level means, shown beside the scale wherever levels are chosen or read.
LEVEL_DESCRIPTIONS = {
    0: "Nothing is in place yet, and nobody has been asked to do it.",
    1: "Done now and then, by people who know how, but not written down or planned: it "
    "depends on who is there.",
    2: "Decided and written down (a policy, a procedure, a plan, an owner), but not yet "
    "working throughout the scope.",
    3: "Working as written across the scope, and it leaves records behind.",
    4: "Working, with current evidence, and followed with figures (KPIs, checks, audits) "
    "that show it achieves what it is for.",
    5: "Reviewed and improved from its results: findings, reviews and nonconformities lead "
    "to changes that are checked for effect.",
}


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    COMPLETED = "completed", "Completed"


class AssessmentQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def completed(self):
        return self.filter(status=Status.COMPLETED)

    def latest_completed(self, organization):
        """The organization's most recent completed assessment, or None."""
        return (
            self.for_org(organization)
            .completed()
            .order_by("-assessed_on", "-completed_at", "-pk")
            .first()
        )

    def filtered(self, *, q=None, status=None, assessor=None):
        """The assessments matching the list's filters, for the page, its export and the API."""
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(Q(title__icontains=q) | Q(summary__icontains=q))
        if status:
            found = found.filter(status=status)
        if assessor is not None:
            found = found.filter(assessor=assessor)
        return found


class Assessment(models.Model):
    """A gap and readiness assessment of the whole AIMS, on one date."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="readiness_assessments",
    )
    title = models.CharField(max_length=200)
    assessed_on = models.DateField(
        "assessment date", help_text="When the assessment is made: today or earlier."
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readiness_assessments",
        help_text="The member who rates each item (the AIMS manager, usually).",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    summary = text_field(
        10_000,
        "conclusion",
        help_text="What the assessment concludes, in a few sentences for top management.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = "readiness assessment"
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="draft"),
                name="one_readiness_draft",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "readiness_detail", kwargs={"org": self.organization.slug, "assessment_id": self.pk}
        )

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class Kind(models.TextChoices):
    CLAUSE = "clause", "Clause requirement"
    CONTROL = "control", "Annex A control"


class Decision(models.TextChoices):
    """How an item's level was set."""

    PENDING = "pending", "To decide"
    CONFIRMED = "confirmed", "Proposal confirmed"
    OVERRIDDEN = "overridden", "Set by the assessor"


class ItemQuerySet(models.QuerySet):
    def decided(self):
        return self.exclude(decision=Decision.PENDING)

    def pending(self):
        return self.filter(decision=Decision.PENDING)

    def for_page(self):
        return self.select_related("clause", "control__objective__parent").prefetch_related(
            "evidence"
        )


class AssessmentItem(models.Model):
    """One requirement rated in an assessment: a clause or an Annex A control."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    clause = models.ForeignKey(
        "catalog.Clause", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    control = models.ForeignKey(
        "catalog.Control", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    proposed_level = models.PositiveSmallIntegerField(
        "proposed level", choices=Maturity.choices, null=True, blank=True
    )
    proposal_reason = text_field(2_000, "why this level is proposed")
    level = models.PositiveSmallIntegerField(choices=Maturity.choices, null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    note = text_field(5_000, help_text="What the assessor saw; required to override a proposal.")
    evidence = models.ManyToManyField(
        "evidence.Evidence",
        blank=True,
        related_name="readiness_items",
        help_text="Evidence the assessor looked at.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    audit_exclude = ("updated_at",)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "assessment item"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="clause", clause__isnull=False, control__isnull=True)
                | Q(kind="control", clause__isnull=True, control__isnull=False),
                name="readiness_item_of_one_requirement",
            ),
            models.UniqueConstraint(
                fields=["assessment", "clause"], name="one_readiness_item_per_clause"
            ),
            models.UniqueConstraint(
                fields=["assessment", "control"], name="one_readiness_item_per_control"
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=5), name="readiness_level_on_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        """Its row on the assessment's page (the rating form needs manage access)."""
        return f"{self.assessment.get_absolute_url()}#item-{self.pk}"

    @property
    def organization(self):
        return self.assessment.organization

    @property
    def requirement(self):
        return self.clause if self.kind == Kind.CLAUSE else self.control

    @property
    def ref(self) -> str:
        return self.requirement.ref

    @property
    def title(self) -> str:
        return self.requirement.title

    @property
    def group(self) -> str:
        """Where the item counts in the results: its clause (4 to 10) or its Annex A objective
        (A.2 to A.10)."""
        if self.kind == Kind.CLAUSE:
            return self.clause.ref.split(".")[0]
        objective = self.control.objective
        return objective.parent.ref if objective.parent_id else objective.ref

    @property
    def is_decided(self) -> bool:
        return self.decision != Decision.PENDING

    @property
    def is_gap(self) -> bool:
        return self.level is not None and self.level < TARGET_LEVEL

    def level_label(self) -> str:
        return Maturity(self.level).label if self.level is not None else ""

    def proposed_label(self) -> str:
        return Maturity(self.proposed_level).label if self.proposed_level is not None else ""


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class RoadmapQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def filtered(self, *, q=None, status=None, owner=None, overdue=None, today=None):
        found = self
        q = (q or "").replace("\x00", "").strip()
        if q:
            found = found.filter(Q(title__icontains=q) | Q(description__icontains=q))
        if status:
            found = found.filter(status=status)
        if owner is not None:
            found = found.filter(owner=owner)
        if overdue:
            found = found.overdue(today)
        return found


class RoadmapAction(models.Model):
    """An action that closes a gap found by an assessment, with an owner and a date."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="readiness_actions"
    )
    assessment = models.ForeignKey(
        Assessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        help_text="The assessment that found the gap.",
    )
    item = models.ForeignKey(
        AssessmentItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        verbose_name="gap",
        help_text="The requirement whose gap the action closes.",
    )
    title = models.CharField(max_length=200)
    description = text_field(5_000, help_text="What will be done, and what shows it is done.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="readiness_actions",
    )
    due_date = models.DateField("due date", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField("done on", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    objects = RoadmapQuerySet.as_manager()

    class Meta:
        ordering = [models.F("due_date").asc(nulls_last=True), "pk"]
        verbose_name = "roadmap action"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "readiness_action_detail", kwargs={"org": self.organization.slug, "action_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, today=None) -> bool:
        return (
            self.is_open
            and self.due_date is not None
            and self.due_date < (today or timezone.localdate())
        )


class ChecklistKey(models.TextChoices):
    """The items of the certification-readiness checklist, in the order of the stages."""

    SCOPE = "scope", "Scope and context defined"
    GAP_ANALYSIS = "gap_analysis", "Gap analysis done"
    PLANNING = "planning", "Policy, objectives, and risk and impact processes in place"
    PEOPLE = "people", "People trained and aware"
    CONTROLS = "controls", "Controls implemented with evidence"
    INTERNAL_AUDIT = "internal_audit", "Internal audit done over the whole AIMS"
    MANAGEMENT_REVIEW = "management_review", "Management review held"
    NONCONFORMITIES = "nonconformities", "Nonconformities addressed"
    STAGE_1 = "stage_1", "Ready for the stage 1 audit"
    STAGE_2 = "stage_2", "Ready for the stage 2 audit"


class ChecklistTick(models.Model):
    """An item of the certification-readiness checklist ticked (or unticked) by hand, with why.

    The data's own answer is computed live beside it (:mod:`aims.readiness.checklist`); a tick
    by hand never hides it."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="readiness_ticks"
    )
    key = models.CharField("checklist item", max_length=40, choices=ChecklistKey.choices)
    ticked = models.BooleanField(default=True)
    note = text_field(2_000, help_text="Why it is ticked by hand: what shows it is met.")
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]
        verbose_name = "checklist tick"
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="one_tick_per_item")
        ]

    def __str__(self) -> str:
        state = "ticked" if self.ticked else "not ticked"
        return f"Readiness checklist: {self.get_key_display()} {state} by hand"

    def get_absolute_url(self) -> str:
        return reverse("readiness_checklist", kwargs={"org": self.organization.slug}) + (
            f"#item-{self.key}"
        )
