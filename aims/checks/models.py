"""Executable technical controls: check definitions per AI system, their runs and alerts."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from aims.core.fields import DocumentField


class Kind(models.TextChoices):
    FAIRNESS = "fairness", "Fairness"
    PERFORMANCE = "performance", "Model performance"
    DRIFT = "drift", "Data drift"
    QUALITY = "quality", "Data quality"


# Data-quality rules given column by column, in the order the person wrote them. They are stored
# as a list of [column, rule] pairs: PostgreSQL's jsonb sorts the keys of an object (shortest
# first), which would reorder the columns.
COLUMN_RULES = ("expected_columns", "ranges", "allowed")


def stored_options(options: dict) -> dict:
    """The options as a check stores them: each column rule a list of [column, rule] pairs."""
    return {
        key: [[column, rule] for column, rule in value.items()]
        if key in COLUMN_RULES and isinstance(value, dict)
        else value
        for key, value in (options or {}).items()
    }


class Schedule(models.TextChoices):
    MANUAL = "manual", "Manual (run on demand or from the pipeline)"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class SourceType(models.TextChoices):
    UPLOAD = "upload", "An uploaded file"
    PATH = "path", "A path the server can read"
    PIPELINE = "pipeline", "Statistics posted by the ML pipeline"


class CheckQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(is_active=True)

    def due(self, now=None):
        """Scheduled checks whose next run time has come."""
        now = now or timezone.now()
        return (
            self.active()
            .exclude(schedule=Schedule.MANUAL)
            .exclude(source_type=SourceType.PIPELINE)
            .filter(models.Q(next_run_at__isnull=True) | models.Q(next_run_at__lte=now))
        )


class Check(models.Model):
    """A technical control run on an AI system's data: what to compute, on what, against which
    limits, how often, and which controls and risks its runs give evidence for."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="checks"
    )
    system = models.ForeignKey(
        "inventory.AISystem",
        on_delete=models.CASCADE,
        related_name="checks",
        verbose_name="AI system",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    source_type = models.CharField(
        "data source", max_length=20, choices=SourceType.choices, default=SourceType.UPLOAD
    )
    data_blob = models.ForeignKey(
        "evidence.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data_name = models.CharField("data file name", max_length=255, blank=True)
    data_path = models.CharField(
        "data path",
        max_length=1000,
        blank=True,
        help_text="A file the server can read, under one of the folders allowed by "
        "AIMS_CHECK_DATA_DIRS.",
    )
    reference_blob = models.ForeignKey(
        "evidence.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference_name = models.CharField("reference file name", max_length=255, blank=True)
    reference_path = models.CharField("reference data path", max_length=1000, blank=True)
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text="Column mapping and options: label, prediction or score and threshold, "
        "sensitive features, reference group, minimum group size, columns …",
    )
    thresholds = models.JSONField(
        default=list, blank=True, help_text='A list of {"metric", "op": "max"|"min", "limit"}.'
    )
    schedule = models.CharField(max_length=10, choices=Schedule.choices, default=Schedule.MANUAL)
    next_run_at = models.DateTimeField(null=True, blank=True)
    controls = models.ManyToManyField(
        "catalog.Control", blank=True, related_name="checks", verbose_name="Annex A controls"
    )
    risks = models.ManyToManyField("risk.Risk", blank=True, related_name="checks")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("next_run_at",)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["system__name", "name"]
        constraints = [models.UniqueConstraint(fields=["system", "name"], name="unique_check_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()}, {self.system})"

    def latest_run(self):
        return self.runs.order_by("-started_at", "-pk").first()

    def column_rule(self, name: str) -> dict:
        """One of the COLUMN_RULES as ``{column: rule}``, in the order the rules were given."""
        value = (self.options or {}).get(name) or []
        return dict(value.items() if isinstance(value, dict) else (tuple(p) for p in value))

    def options_as_given(self) -> dict:
        """The options with each column rule as ``{column: rule}`` (the API's shape)."""
        return {
            key: self.column_rule(key) if key in COLUMN_RULES else value
            for key, value in (self.options or {}).items()
        }


class RunStatus(models.TextChoices):
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    ERROR = "error", "Could not run"


class Origin(models.TextChoices):
    MANUAL = "manual", "Run from the app"
    SCHEDULED = "scheduled", "Scheduled run"
    PIPELINE = "pipeline", "Posted by the ML pipeline"


class CheckRunQuerySet(models.QuerySet):
    def for_org(self, organization):
        return self.filter(organization=organization)

    def passed(self):
        return self.filter(status=RunStatus.PASSED)


class CheckRun(models.Model):
    """One execution of a check: its inputs' fingerprint, the sufficient statistics, the metrics,
    each threshold with pass or fail, the engine version and the duration."""

    definition = models.ForeignKey(
        Check, on_delete=models.CASCADE, related_name="runs", verbose_name="check"
    )
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="check_runs"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    # Documents the engine wrote: kept in their order (groups, metrics, rules, columns).
    fingerprint = DocumentField(default=dict, blank=True)
    statistics = DocumentField(default=dict, blank=True)
    result = DocumentField(
        default=dict,
        blank=True,
        help_text="by_group, overall, aggregates, thresholds and passed, as the CLI prints them.",
    )
    engine_version = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)])
    evidence = models.OneToOneField(
        "evidence.Evidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="check_run",
    )

    objects = CheckRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.definition.name} run {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"

    @property
    def passed(self) -> bool:
        return self.status == RunStatus.PASSED

    @property
    def threshold_results(self) -> list[dict]:
        return self.result.get("thresholds", [])

    def inputs(self) -> dict[str, dict]:
        """The files the run read, by role ("data", or a drift check's "current" and
        "reference"), each with its ``file`` name and ``sha256``."""
        fingerprint = self.fingerprint or {}
        nested = {
            role: fingerprint[role]
            for role in ("current", "reference")
            if isinstance(fingerprint.get(role), dict)
        }
        if nested:
            return nested
        if fingerprint.get("file") or fingerprint.get("sha256"):
            return {"data": fingerprint}
        return {}

    def data_sha256(self) -> str:
        """The hash of the data the run measured (for drift, the current sample)."""
        inputs = self.inputs()
        return (inputs.get("data") or inputs.get("current") or {}).get("sha256", "")


class AlertQuerySet(models.QuerySet):
    def open(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    """Raised on an AI system when a check run fails; addressed to the system's owner. While it is
    open, further failed runs of the same check add to it rather than raise new ones."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="alerts"
    )
    system = models.ForeignKey(
        "inventory.AISystem", on_delete=models.CASCADE, related_name="alerts"
    )
    run = models.OneToOneField(CheckRun, on_delete=models.CASCADE, related_name="alert")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    message = models.TextField(max_length=10_000, validators=[MaxLengthValidator(10_000)])
    last_run = models.ForeignKey(
        CheckRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The latest failed run while the alert stayed open.",
    )
    repeats = models.PositiveIntegerField(
        default=0, help_text="Failed runs of the same check after the one that raised it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(
        blank=True, max_length=10_000, validators=[MaxLengthValidator(10_000)]
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Alert on {self.system}: {self.message[:80]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def latest_run_id(self) -> int:
        return self.last_run_id or self.run_id


class TaskLease(models.Model):
    """A background task under way: which worker runs it and when that worker last said it is
    alive. A task whose heartbeat is older than AIMS_TASK_LEASE_SECONDS lost its worker."""

    task_id = models.UUIDField(primary_key=True)
    worker_id = models.CharField(max_length=64)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.task_id} on {self.worker_id}"
