"""Every change to competences, courses and training records: one function each, in a
transaction, recorded in the change trail. Pages, the API and the demo call these."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from aims.core.errors import Refused
from aims.organizations.models import Membership, Role
from aims.trail.services import delete_governed, save_governed

from .models import Competence, Course, Requirement, TrainingRecord


def _members(organization, people) -> None:
    ids = {p.pk for p in people}
    found = set(
        Membership.objects.filter(organization=organization, user_id__in=ids).values_list(
            "user_id", flat=True
        )
    )
    if ids - found:
        raise ValidationError({"people": "Choose members of this organization."})


def _same_org(organization, records, field: str, what: str) -> None:
    if any(r.organization_id != organization.pk for r in records):
        raise ValidationError({field: f"Choose {what} of this organization."})


@transaction.atomic
def save_competence(
    competence: Competence,
    *,
    actor,
    roles=None,
    people=None,
    clauses=None,
    controls=None,
) -> Competence:
    """Save a competence and, when given, who needs it: every member of each of ``roles``
    and each of ``people`` (members). A requirement added or removed is in the trail too."""
    org = competence.organization
    competence.name = competence.name.strip()
    if not competence.name:
        raise ValidationError({"name": "Name the competence."})
    taken = Competence.objects.filter(organization=org, name__iexact=competence.name)
    if taken.exclude(pk=competence.pk).exists():
        raise ValidationError({"name": "Another competence already has this name."})
    if roles is not None and any(r not in Role.values for r in roles):
        raise ValidationError({"roles": "Choose roles of the organization."})
    if people is not None:
        _members(org, people)
    m2m = {}
    if clauses is not None:
        m2m["clauses"] = clauses
    if controls is not None:
        m2m["controls"] = controls
    competence.updated_at = timezone.now()
    save_governed(competence, actor=actor, m2m=m2m)
    if roles is not None or people is not None:
        _set_requirements(competence, actor=actor, roles=roles, people=people)
    return competence


def _set_requirements(competence: Competence, *, actor, roles, people) -> None:
    existing = list(Requirement.objects.filter(competence=competence))
    wanted_roles = set(roles) if roles is not None else {r.role for r in existing if r.role}
    wanted_people = (
        {p.pk for p in people}
        if people is not None
        else {r.person_id for r in existing if r.person_id}
    )
    for requirement in existing:
        keep = (
            requirement.role in wanted_roles
            if requirement.role
            else (requirement.person_id in wanted_people)
        )
        if not keep:
            delete_governed(requirement, actor=actor)
    have_roles = {r.role for r in existing if r.role}
    have_people = {r.person_id for r in existing if r.person_id}
    for role in sorted(wanted_roles - have_roles):
        save_governed(
            Requirement(organization=competence.organization, competence=competence, role=role),
            actor=actor,
        )
    for person_id in sorted(wanted_people - have_people):
        save_governed(
            Requirement(
                organization=competence.organization, competence=competence, person_id=person_id
            ),
            actor=actor,
        )


@transaction.atomic
def delete_competence(competence: Competence, *, actor) -> None:
    """Remove a competence with its requirements; courses stop giving it. Training records
    stay (they are of courses)."""
    for requirement in Requirement.objects.filter(competence=competence):
        delete_governed(requirement, actor=actor)
    delete_governed(competence, actor=actor)


@transaction.atomic
def save_course(course: Course, *, actor, competences=None) -> Course:
    course.title = course.title.strip()
    if not course.title:
        raise ValidationError({"title": "Give the course a title."})
    taken = Course.objects.filter(organization=course.organization, title__iexact=course.title)
    if taken.exclude(pk=course.pk).exists():
        raise ValidationError(
            {"title": "Another course already has this title; imports match courses by title."}
        )
    m2m = {}
    if competences is not None:
        _same_org(course.organization, competences, "competences", "competences")
        m2m["competences"] = competences
    course.updated_at = timezone.now()
    return save_governed(course, actor=actor, m2m=m2m)


@transaction.atomic
def delete_course(course: Course, *, actor) -> None:
    """Remove a course nobody has a training record of."""
    count = course.training_records.count()
    if count:
        raise Refused(
            f"{count} training record{'s' if count != 1 else ''} name{'s' if count == 1 else ''} "
            f"this course: delete {'them' if count != 1 else 'it'} first, or keep the course."
        )
    delete_governed(course, actor=actor)


def check_training(record: TrainingRecord, *, today: dt.date) -> None:
    """The rules of a training record: a member, a course of the organization, a completion
    not in the future and an expiry not before it. Fills a missing expiry from the course."""
    errors = {}
    org = record.organization
    if record.person_id is None:
        errors["person"] = "Choose the person who completed the course."
    elif not Membership.objects.filter(organization=org, user_id=record.person_id).exists():
        errors["person"] = "Choose a member of this organization."
    if record.course_id is None:
        errors["course"] = "Choose the course."
    elif record.course.organization_id != org.pk:
        errors["course"] = "Choose a course of this organization."
    if record.completed_on is None:
        errors["completed_on"] = "Say when the course was completed."
    elif record.completed_on > today:
        errors["completed_on"] = (
            f"{record.completed_on:%Y-%m-%d} is in the future: record training once it is "
            "completed."
        )
    if errors:
        raise ValidationError(errors)
    if record.expires_on is None:
        record.expires_on = record.course.expiry_after(record.completed_on)
    if record.expires_on is not None and record.expires_on <= record.completed_on:
        raise ValidationError({"expires_on": "The expiry must come after the completion date."})


@transaction.atomic
def record_training(record: TrainingRecord, *, actor, today: dt.date | None = None):
    """Save a training record (new or changed). An empty expiry is computed from the course's
    validity."""
    check_training(record, today=today or timezone.localdate())
    record.evidence = record.evidence.strip()
    record.updated_at = timezone.now()
    return save_governed(record, actor=actor)


@transaction.atomic
def delete_training(record: TrainingRecord, *, actor) -> None:
    delete_governed(record, actor=actor)


# --- Import from a learning system's export -------------------------------------------------

IMPORT_COLUMNS = ("email_or_username", "course", "completed_on", "expires_on")
IMPORT_MAX_BYTES = 1024 * 1024
IMPORT_MAX_ROWS = 5_000


@dataclass(frozen=True)
class RowError:
    row: int | None  # the line of the file (the header is row 1); None: the file itself
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
    """The file has errors: nothing was imported. ``errors`` names each row and column."""

    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


@dataclass(frozen=True)
class ImportRow:
    row: int
    person: object
    course: Course
    completed_on: dt.date
    expires_on: dt.date | None
    already_recorded: bool


def _date(text: str, row: int, column: str, errors: list[RowError]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(RowError(row, column, f"“{text[:40]}” is not a date; write YYYY-MM-DD."))
        return None


def _people_index(organization) -> tuple[dict[str, object], set[str]]:
    """Members by lowercased username and e-mail; e-mails shared by several are ambiguous."""
    users = get_user_model().objects.filter(memberships__organization=organization)
    by_key: dict[str, object] = {}
    ambiguous: set[str] = set()
    for user in users:
        by_key[user.get_username().casefold()] = user
    emails: dict[str, list] = {}
    for user in users:
        if user.email:
            emails.setdefault(user.email.strip().casefold(), []).append(user)
    for email, found in emails.items():
        if len(found) > 1:
            ambiguous.add(email)
        else:
            by_key.setdefault(email, found[0])
    return by_key, ambiguous


def parse_training_csv(organization, data: bytes, *, today: dt.date) -> list[ImportRow]:
    """Read a learning system's export and check every row; raise :class:`ImportRefused` with
    every error found, or return the rows to import. Columns (header required, any order,
    other columns ignored): email_or_username, course (matched by title), completed_on,
    expires_on (may be empty: computed from the course's validity). Dates are YYYY-MM-DD."""
    if len(data) > IMPORT_MAX_BYTES:
        raise ImportRefused(
            [RowError(None, None, f"The file is larger than {IMPORT_MAX_BYTES // 1024} KiB.")]
        )
    if b"\x00" in data:
        raise ImportRefused([RowError(None, None, "The file holds a null character: not a CSV.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([RowError(None, None, "The file is not UTF-8 text.")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ImportRefused([RowError(1, None, f"The header cannot be read: {exc}.")]) from None
    if not header:
        raise ImportRefused([RowError(None, None, "The file is empty.")])
    names = [h.strip().casefold() for h in header]
    missing = [c for c in IMPORT_COLUMNS if c not in names]
    if missing:
        raise ImportRefused(
            [
                RowError(
                    1,
                    column,
                    "The header lacks this column; the header must name "
                    + ", ".join(IMPORT_COLUMNS)
                    + ".",
                )
                for column in missing
            ]
        )
    index = {c: names.index(c) for c in IMPORT_COLUMNS}
    people, ambiguous = _people_index(organization)
    courses = {c.title.casefold(): c for c in Course.objects.filter(organization=organization)}
    errors: list[RowError] = []
    rows: list[ImportRow] = []
    raw: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(raw) >= IMPORT_MAX_ROWS:
                raise ImportRefused(
                    [RowError(number, None, f"The file has more than {IMPORT_MAX_ROWS} rows.")]
                )
            raw.append((number, values))
    except csv.Error as exc:
        raise ImportRefused([RowError(reader.line_num, None, f"Unreadable: {exc}.")]) from None
    if not raw:
        raise ImportRefused([RowError(None, None, "The file has a header but no rows.")])
    existing = set(
        TrainingRecord.objects.filter(organization=organization).values_list(
            "person_id", "course_id", "completed_on"
        )
    )
    seen = set()
    for number, values in raw:
        cell = {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}
        before = len(errors)
        who = cell["email_or_username"]
        person = people.get(who.casefold())
        if not who:
            errors.append(RowError(number, "email_or_username", "Say who completed the course."))
        elif who.casefold() in ambiguous:
            errors.append(
                RowError(
                    number,
                    "email_or_username",
                    f"Several members have the e-mail {who}; use the username.",
                )
            )
        elif person is None:
            errors.append(
                RowError(
                    number,
                    "email_or_username",
                    f"Unknown person “{who[:80]}”: no member has this username or e-mail.",
                )
            )
        course = courses.get(cell["course"].casefold())
        if not cell["course"]:
            errors.append(RowError(number, "course", "Name the course."))
        elif course is None:
            errors.append(
                RowError(
                    number,
                    "course",
                    f"Unknown course “{cell['course'][:80]}”: add it to "
                    "the courses first, with the same title.",
                )
            )
        completed = None
        if not cell["completed_on"]:
            errors.append(RowError(number, "completed_on", "Say when it was completed."))
        else:
            completed = _date(cell["completed_on"], number, "completed_on", errors)
            if completed is not None and completed > today:
                errors.append(
                    RowError(number, "completed_on", f"{completed:%Y-%m-%d} is in the future.")
                )
        expires = None
        if cell["expires_on"]:
            expires = _date(cell["expires_on"], number, "expires_on", errors)
        if len(errors) > before:
            continue
        if expires is None:
            expires = course.expiry_after(completed)
        if expires is not None and expires <= completed:
            errors.append(
                RowError(number, "expires_on", "The expiry must come after the completion date.")
            )
            continue
        key = (person.pk, course.pk, completed)
        rows.append(
            ImportRow(number, person, course, completed, expires, key in existing or key in seen)
        )
        seen.add(key)
    if errors:
        raise ImportRefused(errors)
    return rows


@dataclass(frozen=True)
class ImportResult:
    imported: int
    skipped: int  # already recorded (same person, course and completion date)


@transaction.atomic
def import_training(organization, data: bytes, *, actor, today: dt.date | None = None):
    """Import every row of a learning system's export, or none: the whole file is checked
    first (:func:`parse_training_csv`). Rows already recorded are skipped."""
    today = today or timezone.localdate()
    rows = parse_training_csv(organization, data, today=today)
    imported = 0
    for row in rows:
        if row.already_recorded:
            continue
        record_training(
            TrainingRecord(
                organization=organization,
                person=row.person,
                course=row.course,
                completed_on=row.completed_on,
                expires_on=row.expires_on,
                note=f"Imported from a learning system export (row {row.row}).",
            ),
            actor=actor,
            today=today,
        )
        imported += 1
    return ImportResult(imported, len(rows) - imported)


def members_needing(organization, competence: Competence):
    """The users of ``organization`` a competence is required of (by role or by name)."""
    requirements = Requirement.objects.filter(competence=competence)
    roles = requirements.exclude(role="").values("role")
    people = requirements.filter(person__isnull=False).values("person_id")
    return (
        get_user_model()
        .objects.filter(
            Q(memberships__organization=organization, memberships__role__in=roles)
            | Q(memberships__organization=organization, pk__in=people)
        )
        .distinct()
    )
