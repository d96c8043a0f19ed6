"""AI objectives and KPIs: every change goes through one function here, recorded in the trail.

Where measurements come from:

* by hand (:func:`add_measurement`) or a CSV file (:func:`import_measurements`);
* the runs of a technical check (:func:`import_check_runs`): a receiver of the check run's
  ``post_save`` (registered in ``area.py``) adds the measurement of each new run at once, inside
  the run's own transaction; the same function also runs when a KPI starts following a check
  (its past runs), when the KPI page is opened and in the worker's ``periodic`` round, and
  catches up on any run it has not imported yet (one measurement per run, by the run's id);
* a figure another area computes (hook ``measures``): :func:`sample_measure`, once a day per
  KPI in the ``periodic`` round, or when someone presses "Measure now".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aims.catalog.models import Clause
from aims.checks.models import CheckRun, RunStatus
from aims.core.areas import measures
from aims.core.errors import Refused
from aims.metrics import InputError
from aims.metrics import thresholds as th
from aims.trail.models import Action
from aims.trail.services import delete_governed, record, save_governed

from .models import (
    KPI,
    PASSED,
    VALUE_DIGITS,
    VALUE_PLACES,
    KPISource,
    Measurement,
    MeasurementSource,
    Objective,
    format_value,
)

logger = logging.getLogger(__name__)

DEFAULT_CLAUSE = "6.2"

# --- Objectives --------------------------------------------------------------------------------


@transaction.atomic
def save_objective(
    objective: Objective,
    *,
    actor,
    annex_objectives=None,
    clauses=None,
    controls=None,
    today: dt.date | None = None,
) -> Objective:
    """Create or update an objective with its links. A new objective (or a changed deadline)
    may not have a deadline in the past; a new one addresses clause 6.2 unless told otherwise."""
    today = today or timezone.localdate()
    stored = Objective.objects.filter(pk=objective.pk).values("deadline").first()
    changed = stored is None or stored["deadline"] != objective.deadline
    if objective.deadline is not None and objective.deadline < today and changed:
        raise ValidationError(
            {"deadline": "Choose a deadline from today on: this date has already passed."}
        )
    m2m = {}
    if annex_objectives is not None:
        m2m["annex_objectives"] = annex_objectives
    if clauses is not None:
        m2m["clauses"] = clauses
    elif stored is None:
        m2m["clauses"] = list(Clause.objects.filter(ref=DEFAULT_CLAUSE))
    if controls is not None:
        m2m["controls"] = controls
    return save_governed(objective, actor=actor, m2m=m2m)


@transaction.atomic
def delete_objective(objective: Objective, *, actor) -> None:
    """Delete an objective; its KPIs stay (they are unlinked from it)."""
    delete_governed(objective, actor=actor)


# --- KPIs --------------------------------------------------------------------------------------


def metric_choices() -> list[tuple[str, str]]:
    """Every figure a KPI can take from a check's run: "passed", then each kind's metrics."""
    found = [(PASSED, "Whether the run passed (1 passed, 0 failed)")]
    for kind, aliases in th.ALIASES.items():
        for name in dict.fromkeys(aliases.values()):
            found.append((name, f"{kind.capitalize()}: {name}"))
    return list(dict.fromkeys(found))


def _check_source(kpi: KPI, errors: dict) -> None:
    if kpi.source == KPISource.CHECK:
        check = kpi.check_definition
        if check is None:
            errors["check_definition"] = "Choose the check whose runs feed this KPI."
        elif check.organization_id != kpi.organization_id:
            errors["check_definition"] = "The check must belong to this organization."
        elif kpi.check_metric != PASSED:
            try:
                kpi.check_metric = th.canonical_metric(check.kind, kpi.check_metric or "")
            except InputError:
                names = ", ".join([PASSED, *dict.fromkeys(th.ALIASES[check.kind].values())])
                errors["check_metric"] = (
                    f"A {check.get_kind_display().lower()} check measures one of: {names}."
                )
    else:
        kpi.check_definition, kpi.check_metric = None, ""
    if kpi.source == KPISource.MEASURE:
        available = measures()
        if kpi.measure_key not in available:
            errors["measure_key"] = (
                "Choose one of the figures the app computes: "
                + (", ".join(sorted(available)) or "none is available")
                + "."
            )
    else:
        kpi.measure_key = ""


@transaction.atomic
def save_kpi(kpi: KPI, *, actor, objectives=None) -> KPI:
    """Create or update a KPI; its status follows the (possibly new) target at once. A KPI that
    starts following a check imports the check's past runs."""
    errors: dict[str, str] = {}
    for name in ("tolerance", "band"):
        if getattr(kpi, name) is not None and getattr(kpi, name) < 0:
            errors[name] = "Give a value of zero or more."
    if kpi.target is not None and not Decimal(kpi.target).is_finite():
        errors["target"] = "Give a number."
    taken = KPI.objects.filter(organization_id=kpi.organization_id, name__iexact=kpi.name.strip())
    if taken.exclude(pk=kpi.pk).exists():
        errors["name"] = "Another KPI of this organization has this name."
    _check_source(kpi, errors)
    m2m = {}
    if objectives is not None:
        if any(o.organization_id != kpi.organization_id for o in objectives):
            errors["objectives"] = "Objectives must belong to this organization."
        m2m["objectives"] = objectives
    if errors:
        raise ValidationError(errors)
    kpi.name = kpi.name.strip()
    save_governed(kpi, actor=actor, m2m=m2m)
    if kpi.source == KPISource.CHECK:
        import_check_runs(kpi)
    refresh_status(kpi)
    return kpi


@transaction.atomic
def delete_kpi(kpi: KPI, *, actor) -> None:
    """Delete a KPI and its measurements (each recorded in the trail with it)."""
    count = kpi.measurements.count()
    delete_governed(
        kpi, actor=actor, note=f"With its {count} measurement{'s' if count != 1 else ''}."
    )


def refresh_status(kpi: KPI) -> KPI:
    """Store the KPI's latest value, its date and the status it gives (derived data)."""
    latest = kpi.measurements.latest_first().values("value", "date").first()
    kpi.latest_value = latest["value"] if latest else None
    kpi.latest_date = latest["date"] if latest else None
    kpi.status = kpi.status_for(kpi.latest_value)
    KPI.objects.filter(pk=kpi.pk).update(
        latest_value=kpi.latest_value, latest_date=kpi.latest_date, status=kpi.status
    )
    return kpi


# --- Measurements -------------------------------------------------------------------------------

MAX_VALUE = Decimal(10) ** (VALUE_DIGITS - VALUE_PLACES)


def parse_value(text) -> Decimal:
    """A measured value from text or a number; ValueError says what is wrong."""
    if isinstance(text, float) and not math.isfinite(text):
        raise ValueError("Give a finite number.")
    try:
        value = (
            Decimal(str(text).strip().replace(",", ""))
            if isinstance(text, str)
            else Decimal(str(text))
        )
    except InvalidOperation:
        raise ValueError("Give a number, like 0.85 or 12.") from None
    if not value.is_finite():
        raise ValueError("Give a finite number.")
    if abs(value) >= MAX_VALUE:
        raise ValueError(f"Give a number smaller than {MAX_VALUE:,} in size.")
    return value.quantize(Decimal(1).scaleb(-VALUE_PLACES))


def _check_date(date, today) -> None:
    if date > today:
        raise ValidationError(
            {"date": "A measurement cannot be dated in the future: give today's date or earlier."}
        )


def _measured(measurement: Measurement, *, actor) -> Measurement:
    measurement.organization_id = measurement.kpi.organization_id
    save_governed(measurement, actor=actor, organization=measurement.kpi.organization)
    refresh_status(measurement.kpi)
    return measurement


@transaction.atomic
def add_measurement(
    kpi: KPI, *, actor, date: dt.date, value, note: str = "", today: dt.date | None = None
) -> Measurement:
    """Record a value measured by hand, dated today or earlier."""
    today = today or timezone.localdate()
    if not kpi.is_fed_by_people:
        raise Refused(
            f"{kpi.name} is fed by {kpi.get_source_display().lower()}: its measurements come "
            "from there, not by hand."
        )
    _check_date(date, today)
    try:
        value = parse_value(value)
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    measurement = Measurement(
        kpi=kpi,
        date=date,
        value=value,
        note=(note or "").strip(),
        source=MeasurementSource.MANUAL,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return _measured(measurement, actor=actor)


@transaction.atomic
def delete_measurement(measurement: Measurement, *, actor) -> None:
    """Delete a value entered or imported by mistake; the KPI's status follows the rest.
    Measurements of a check run or an app figure stay: they record what was computed."""
    kpi = measurement.kpi
    if measurement.source not in (MeasurementSource.MANUAL, MeasurementSource.IMPORT):
        raise Refused(
            f"This measurement comes from {measurement.get_source_display().lower()}: it records "
            "what was computed and stays."
        )
    delete_governed(measurement, actor=actor)
    refresh_status(kpi)


# --- CSV import -------------------------------------------------------------------------------

IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 5_000
IMPORT_COLUMNS = ("kpi", "date", "value", "note")
REQUIRED_COLUMNS = ("kpi", "date", "value")
NOTE_MAX = Measurement._meta.get_field("note").max_length


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell of an imported file (``row`` counts the header as row 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(ValidationError):
    """A file with problems: nothing of it was imported. ``problems`` names each."""

    MAX_SHOWN = 50

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[: self.MAX_SHOWN]]
        if len(problems) > self.MAX_SHOWN:
            shown.append(f"… and {len(problems) - self.MAX_SHOWN} more problems.")
        super().__init__({"file": shown})


def _read_text(upload) -> str:
    size = getattr(upload, "size", None)
    if size is not None and size > IMPORT_MAX_BYTES:
        raise ImportRefused([Problem(None, None, "The file is larger than 1 MiB.")])
    raw = upload.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise ImportRefused([Problem(None, None, "The file is larger than 1 MiB.")])
    if b"\x00" in raw:
        raise ImportRefused(
            [Problem(None, None, "The file holds null bytes: it is not a CSV text file.")]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([Problem(None, None, "Save the file as UTF-8 text.")]) from None


@dataclass(frozen=True)
class Row:
    kpi: KPI
    date: dt.date
    value: Decimal
    note: str


def _kpi_named(text: str, by_name: dict, by_id: dict) -> KPI | None:
    key = text.strip()
    # ASCII digits only, and no longer than an id can be: int() refuses "²" and very long text.
    if key.isascii() and key.isdigit() and len(key) <= 19 and int(key) in by_id:
        return by_id[int(key)]
    return by_name.get(key.casefold())


def parse_import(
    organization, upload, *, default_kpi: KPI | None = None, today: dt.date | None = None
) -> list[Row]:
    """Read and check a whole CSV file of measurements (columns ``kpi,date,value,note``);
    :class:`ImportRefused` names every bad row and column. ``kpi`` is a KPI's name or number;
    when ``default_kpi`` is given, an empty (or missing) ``kpi`` means that one."""
    today = today or timezone.localdate()
    text = _read_text(upload)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefused([Problem(1, None, f"The file is not valid CSV ({exc}).")]) from None
    if header is None:
        raise ImportRefused([Problem(None, None, "The file is empty.")])
    names = [h.strip().lower() for h in header]
    required = [c for c in REQUIRED_COLUMNS if not (c == "kpi" and default_kpi)]
    missing = [c for c in required if c not in names]
    unknown = [h for h in names if h not in IMPORT_COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        detail = []
        if missing:
            detail.append(f"missing {', '.join(missing)}")
        if unknown:
            detail.append(f"unknown {', '.join(n or '(empty)' for n in unknown)}")
        if len(set(names)) != len(names):
            detail.append("a column named twice")
        raise ImportRefused(
            [
                Problem(
                    1,
                    None,
                    f"The header must name the columns {','.join(IMPORT_COLUMNS)} "
                    f"({'; '.join(detail)}).",
                )
            ]
        )
    kpis = list(KPI.objects.for_org(organization))
    by_name = {k.name.casefold(): k for k in kpis}
    by_id = {k.pk: k for k in kpis}
    rows, problems = [], []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) + len(problems) >= IMPORT_MAX_ROWS:
                raise ImportRefused(
                    [Problem(number, None, f"The file has more than {IMPORT_MAX_ROWS:,} rows.")]
                )
            if len(cells) != len(names):
                problems.append(
                    Problem(number, None, f"Expected {len(names)} cells, found {len(cells)}.")
                )
                continue
            row = dict(zip(names, cells, strict=True))
            found = len(problems)
            kpi_text = row.get("kpi", "").strip()
            kpi = _kpi_named(kpi_text, by_name, by_id) if kpi_text else default_kpi
            if kpi is None:
                message = f"No KPI named “{kpi_text[:100]}”." if kpi_text else "Name the KPI."
                problems.append(Problem(number, "kpi", message))
            elif not kpi.is_fed_by_people:
                problems.append(
                    Problem(
                        number,
                        "kpi",
                        f"{kpi.name} is fed by {kpi.get_source_display().lower()}; it takes no "
                        "imported values.",
                    )
                )
            try:
                date = dt.date.fromisoformat(row["date"].strip())
            except ValueError:
                problems.append(Problem(number, "date", "Give a date as YYYY-MM-DD."))
            else:
                if date > today:
                    problems.append(Problem(number, "date", "This date is in the future."))
            try:
                value = parse_value(row["value"])
            except ValueError as exc:
                problems.append(Problem(number, "value", str(exc)))
            note = row.get("note", "").strip()
            if len(note) > NOTE_MAX:
                problems.append(Problem(number, "note", f"Use at most {NOTE_MAX} characters."))
            if len(problems) == found:
                rows.append(Row(kpi, date, value, note))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, None, f"The file is not valid CSV ({exc})."))
    if problems:
        raise ImportRefused(problems)
    if not rows:
        raise ImportRefused([Problem(None, None, "The file has no measurements.")])
    return rows


@transaction.atomic
def import_measurements(
    organization, upload, *, actor, default_kpi: KPI | None = None, today=None
) -> list[Measurement]:
    """Import a CSV file of measurements: all of it, or (when any row is bad) none of it."""
    rows = parse_import(organization, upload, default_kpi=default_kpi, today=today)
    made = []
    for row in rows:
        measurement = Measurement(
            kpi=row.kpi,
            organization=organization,
            date=row.date,
            value=row.value,
            note=row.note,
            source=MeasurementSource.IMPORT,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        save_governed(measurement, actor=actor, organization=organization, note="CSV import")
        made.append(measurement)
    for kpi in {row.kpi.pk: row.kpi for row in rows}.values():
        refresh_status(kpi)
    return made


# --- Check runs ------------------------------------------------------------------------------

RUNS_IMPORTED_AT_ONCE = 500


def run_value(run: CheckRun, metric: str) -> float | None:
    """The figure ``metric`` of a run: 1/0 for "passed", else the metric of its result (a
    fairness or drift aggregate, a performance figure); None when the run has none."""
    if run.status == RunStatus.ERROR:
        return None
    if metric == PASSED:
        return 1.0 if run.status == RunStatus.PASSED else 0.0
    result = run.result or {}
    for part in ("aggregates", "overall"):
        value = (result.get(part) or {}).get(metric)
        if isinstance(value, bool):
            value = float(value)
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def _from_run(kpi: KPI, run: CheckRun) -> Measurement | None:
    value = run_value(run, kpi.check_metric)
    if value is None:
        return None
    measurement = Measurement(
        kpi=kpi,
        organization_id=kpi.organization_id,
        date=timezone.localtime(run.started_at).date(),
        value=parse_value(value),
        note=f"{run.definition.name}: run {run.get_status_display().lower()}",
        source=MeasurementSource.CHECK,
        check_run=run,
        run_ref=run.pk,
    )
    measurement.save()
    record(
        kpi.organization,
        actor=None,
        instance=measurement,
        action=Action.CREATE,
        changes={"value": [None, format_value(measurement.value)], "run": [None, run.pk]},
        note=f"From check run {run.pk}",
    )
    return measurement


@transaction.atomic
def import_check_runs(kpi: KPI) -> int:
    """Add a measurement for each run of the KPI's check it has not imported yet (the newest
    :data:`RUNS_IMPORTED_AT_ONCE`); returns how many were added."""
    if kpi.source != KPISource.CHECK or kpi.check_definition_id is None:
        return 0
    done = kpi.measurements.filter(run_ref__isnull=False).values("run_ref")
    runs = list(
        CheckRun.objects.filter(definition_id=kpi.check_definition_id)
        .exclude(pk__in=done)
        .exclude(status=RunStatus.ERROR)
        .select_related("definition")
        .order_by("-started_at", "-pk")[:RUNS_IMPORTED_AT_ONCE]
    )
    added = sum(1 for run in reversed(runs) if _from_run(kpi, run) is not None)
    if added:
        refresh_status(kpi)
    return added


def record_new_run(run: CheckRun) -> int:
    """A new run of a check: each KPI following that check gets its measurement. Runs inside
    the run's transaction, in a savepoint: a failure here is logged and never undoes the run
    (the next :func:`import_check_runs` catches up)."""
    added = 0
    for kpi in KPI.objects.filter(source=KPISource.CHECK, check_definition_id=run.definition_id):
        try:
            added += import_check_runs(kpi)
        except Exception:
            logger.exception("KPI %s: could not import check run %s", kpi.pk, run.pk)
    return added


# --- App measures ----------------------------------------------------------------------------


@transaction.atomic
def sample_measure(kpi: KPI, *, actor=None, today: dt.date | None = None) -> Measurement:
    """Take today's value of the app figure the KPI follows."""
    today = today or timezone.localdate()
    if kpi.source != KPISource.MEASURE:
        raise Refused(f"{kpi.name} does not follow a figure the app computes.")
    measure = measures().get(kpi.measure_key)
    if measure is None:
        raise Refused(
            f"The figure “{kpi.measure_key}” is no longer computed by the app: choose another "
            "source for this KPI."
        )
    value = measure.compute(kpi.organization, today)
    if value is None or not math.isfinite(float(value)):
        raise Refused(f"{measure.label}: nothing to measure yet.")
    measurement = Measurement(
        kpi=kpi,
        date=today,
        value=parse_value(float(value)),
        note=measure.label,
        source=MeasurementSource.MEASURE,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    return _measured(measurement, actor=actor)


def periodic_round(now) -> list[str]:
    """The worker's round: sample each app-measure KPI not yet sampled today; import check runs
    any KPI missed."""
    today = timezone.localdate(now)
    lines = []
    sampled = Measurement.objects.filter(source=MeasurementSource.MEASURE, date=today)
    for kpi in (
        KPI.objects.filter(source=KPISource.MEASURE)
        .exclude(pk__in=sampled.values("kpi_id"))
        .select_related("organization")
    ):
        try:
            measurement = sample_measure(kpi, today=today)
        except ValidationError as exc:
            lines.append(f"KPI {kpi.pk} ({kpi.organization.slug}): {' '.join(exc.messages)}")
        except Exception:  # one broken figure must not stop the worker's round
            logger.exception("KPI %s: the app measure %s failed", kpi.pk, kpi.measure_key)
            lines.append(f"KPI {kpi.pk} ({kpi.organization.slug}): the measure failed")
        else:
            lines.append(
                f"KPI {kpi.pk} ({kpi.organization.slug}): measured {format_value(measurement.value)}"
            )
    for kpi in KPI.objects.filter(source=KPISource.CHECK, check_definition__isnull=False):
        added = import_check_runs(kpi)
        if added:
            lines.append(f"KPI {kpi.pk}: {added} check run{'s' if added != 1 else ''} imported")
    return lines
