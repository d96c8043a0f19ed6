"""Leadership (clause 5): the roles of the AIMS and who holds them (5.3, A.3.2), who does what in
its activities (a RACI matrix), and the governance committee's meetings, decisions and actions,
which show top management's involvement (5.1)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from aims.catalog.links import AddressesRequirements

NAME_LENGTH = 200
TEXT_LENGTH = 10_000
MINUTES_LENGTH = 50_000


def _text(length: int = TEXT_LENGTH, **kwargs) -> models.TextField:
    return models.TextField(max_length=length, validators=[MaxLengthValidator(length)], **kwargs)


# --- Roles ------------------------------------------------------------------------------------


class AIMSRoleQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def search(self, text: str | None):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(responsibilities__icontains=text)
        )

    def filtered(self, *, q: str | None = None, holder=None, unassigned: bool | None = None):
        """The roles list's filters, for the page and the API alike."""
        roles = self.search(q)
        if holder is not None:
            roles = roles.filter(holders=holder)
        if unassigned:
            roles = roles.filter(holders__isnull=True)
        return roles


class AIMSRole(AddressesRequirements):
    """A role of the organization's AI management system, with its responsibilities and
    authorities and the members who hold it (5.3, A.3.2)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="aims_roles"
    )
    name = models.CharField(max_length=NAME_LENGTH)
    description = _text(5_000, blank=True)
    responsibilities = _text(
        blank=True, help_text="What whoever holds this role answers for in the AIMS."
    )
    authorities = _text(
        blank=True, help_text="What they may decide, approve or stop, and within which limits."
    )
    holders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="aims_roles",
        help_text="Members of the organization who hold this role.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = AIMSRoleQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "AIMS role"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "leadership_role_detail",
            kwargs={"org": self.organization.slug, "aims_role_id": self.pk},
        )


# --- The RACI matrix --------------------------------------------------------------------------


class Letter(models.TextChoices):
    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class ActivityQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def with_accountable(self):
        """Each activity with ``accountable_count``: how many hold its A."""
        return self.annotate(
            accountable_count=Count(
                "assignments", filter=Q(assignments__letter=Letter.ACCOUNTABLE), distinct=True
            )
        )

    def flagged(self):
        """Activities with no one accountable, or more than one."""
        return self.with_accountable().exclude(accountable_count=1)


class Activity(models.Model):
    """An activity of the AIMS, a row of the RACI matrix."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="aims_activities"
    )
    name = models.CharField(max_length=NAME_LENGTH)
    description = _text(2_000, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "AIMS activity"
        verbose_name_plural = "AIMS activities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Its row of the RACI matrix."""
        url = reverse("leadership_raci", kwargs={"org": self.organization.slug})
        return f"{url}#activity-{self.pk}"

    def flag(self) -> str:
        """Why the activity is flagged, or empty: no one accountable, or several."""
        count = getattr(self, "accountable_count", None)
        if count is None:
            count = self.assignments.filter(letter=Letter.ACCOUNTABLE).count()
        if count == 0:
            return "No one is accountable"
        if count > 1:
            return f"{count} are accountable; one should be"
        return ""


class Assignment(models.Model):
    """One cell of the RACI matrix: an AIMS role, or a person, with a letter for an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(
        AIMSRole, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="raci_assignments",
    )
    letter = models.CharField(max_length=1, choices=Letter.choices)

    class Meta:
        ordering = ["activity", "pk"]
        verbose_name = "RACI cell"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role__isnull=False) & Q(person__isnull=True))
                | (Q(role__isnull=True) & Q(person__isnull=False)),
                name="raci_cell_role_or_person",
            ),
            models.UniqueConstraint(fields=["activity", "role"], name="unique_raci_role_cell"),
            models.UniqueConstraint(fields=["activity", "person"], name="unique_raci_person_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.activity}: {self.holder_label()} {self.letter}"

    @property
    def organization(self):
        return self.activity.organization

    def holder_label(self) -> str:
        if self.role_id:
            return str(self.role)
        return self.person.get_full_name() or self.person.get_username()


# --- The governance committee -------------------------------------------------------------------


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class MeetingQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def held(self):
        return self.filter(status=MeetingStatus.HELD)

    def held_since(self, since: dt.date):
        return self.held().filter(date__gte=since)

    def search(self, text: str | None):
        text = (text or "").replace("\x00", "").strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text) | Q(agenda__icontains=text) | Q(minutes__icontains=text)
        )

    def filtered(
        self,
        *,
        q: str | None = None,
        status: str | None = None,
        attendee=None,
        open_actions: bool | None = None,
    ):
        """The meetings list's filters, for the page, its CSV export and the API."""
        meetings = self.search(q)
        if status:
            meetings = meetings.filter(status=status)
        if attendee is not None:
            meetings = meetings.filter(attendees=attendee)
        if open_actions:
            meetings = meetings.filter(pk__in=CommitteeAction.objects.open().values("meeting_id"))
        return meetings

    def for_list(self):
        """What the list and its export read: counts as annotations, attendees prefetched."""
        return (
            self.annotate(
                decision_count=Count("decisions", distinct=True),
                open_action_count=Count(
                    "actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True
                ),
            )
            .prefetch_related("attendees")
            .order_by("-date", "-pk")
        )


class Meeting(models.Model):
    """A meeting of the AI governance committee (or of top management about the AIMS)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="committee_meetings"
    )
    title = models.CharField(max_length=NAME_LENGTH)
    date = models.DateField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="committee_meetings"
    )
    agenda = _text(blank=True)
    minutes = _text(MINUTES_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "committee meeting"
        indexes = [models.Index(fields=["organization", "status", "date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse(
            "leadership_meeting_detail",
            kwargs={"org": self.organization.slug, "meeting_id": self.pk},
        )

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD


class Decision(models.Model):
    """A decision taken at a committee meeting, optionally about an AI system or a risk."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="committee_decisions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = _text(5_000, verbose_name="decision")
    system = models.ForeignKey(
        "inventory.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_decisions",
        verbose_name="AI system",
        help_text="The AI system the decision concerns, if any.",
    )
    risk = models.ForeignKey(
        "risk.Risk",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_decisions",
        help_text="The risk the decision concerns, if any.",
    )
    reference = models.CharField(
        max_length=300,
        blank=True,
        help_text="Anything else it concerns: a document, a supplier, a ticket number.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = "committee decision"

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 120 else text[:119] + "…"

    def get_absolute_url(self) -> str:
        """The meeting's page, where it is listed."""
        self.meeting.organization = self.organization
        return f"{self.meeting.get_absolute_url()}#decisions"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# The status changes an action may make; anything else is refused.
ACTION_TRANSITIONS = {
    ActionStatus.OPEN: {ActionStatus.DONE, ActionStatus.CANCELLED},
    ActionStatus.DONE: {ActionStatus.OPEN},
    ActionStatus.CANCELLED: {ActionStatus.OPEN},
}


class CommitteeActionQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.open().filter(due_date__lt=today)


class CommitteeAction(models.Model):
    """Something the committee asked someone to do, by a date."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="committee_actions"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=NAME_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_actions",
    )
    due_date = models.DateField("due date", null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_on = models.DateField("done on", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)
    objects = CommitteeActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "committee action"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The meeting's page, where it is listed."""
        self.meeting.organization = self.organization
        return f"{self.meeting.get_absolute_url()}#actions"

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == ActionStatus.OPEN and self.due_date is not None and self.due_date < today
        )
