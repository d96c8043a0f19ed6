"""State changes of the reminders area: a person's digest setting, and the daily digest.

The digest goes out from the background worker (hook ``periodic``): at the first round after
``AIMS_DIGEST_HOUR`` (local time), each person who has an e-mail address, has not turned the
digest off and has something overdue or due within a week in any of their organizations gets
one e-mail. Each person's digest of a day is claimed in the database before it is sent (one row
per person and day, unique), so two workers never send it twice and a person with nothing due is
not looked at again until the next day.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aims.core.areas import due_items
from aims.organizations.models import Membership, Organization
from aims.trail.models import Action
from aims.trail.services import record

from . import rules
from .models import Digest, Outcome, ReminderPreference

log = logging.getLogger(__name__)

DEFAULT_DIGEST_HOUR = 7  # local time; AIMS_DIGEST_HOUR overrides it
DEFAULT_BASE_URL = "http://localhost:8000"  # AIMS_BASE_URL overrides it


# --- The person's setting ---------------------------------------------------------------------


def preference_of(user) -> ReminderPreference:
    """The person's settings: the stored ones, or the defaults (not stored by reading)."""
    found = ReminderPreference.objects.filter(user=user).first()
    return found if found is not None else ReminderPreference(user=user)


def set_digest(user, *, digest: bool) -> ReminderPreference:
    """Turn the person's own daily digest on or off. A change is recorded in the change trail of
    each of their organizations (it decides whether they hear of what falls due there)."""
    with transaction.atomic():
        preference, _ = ReminderPreference.objects.select_for_update().get_or_create(user=user)
        if preference.digest == digest:
            return preference
        before = preference.digest
        preference.digest = digest
        preference.updated_at = timezone.now()
        preference.save(update_fields=["digest", "updated_at"])
        note = f"Turned the daily reminder digest {'on' if digest else 'off'}."
        for organization in Organization.objects.filter(memberships__user=user).order_by("pk"):
            record(
                organization,
                actor=user,
                instance=preference,
                action=Action.UPDATE,
                changes={"digest": [before, digest]},
                note=note,
            )
    return preference


# --- The daily digest -------------------------------------------------------------------------


def digest_hour() -> int:
    return int(getattr(settings, "AIMS_DIGEST_HOUR", DEFAULT_DIGEST_HOUR))


def base_url() -> str:
    return str(getattr(settings, "AIMS_BASE_URL", DEFAULT_BASE_URL)).rstrip("/")


def absolute(url: str) -> str:
    """A link of the digest: the app's paths under AIMS_BASE_URL, web addresses as they are,
    anything else (a ``javascript:`` URL, say) no link."""
    link = rules.link_of(url)
    return base_url() + link if link.startswith("/") else link


@dataclass(frozen=True)
class OrganizationPart:
    """What the digest says about one organization."""

    organization: Organization
    reminders: list[rules.Reminder]
    list_url: str  # absolute: the person's reminders page there
    settings_url: str


@dataclass(frozen=True)
class DigestMail:
    user: object
    today: dt.date
    parts: list[OrganizationPart]

    @property
    def count(self) -> int:
        return sum(len(part.reminders) for part in self.parts)

    @property
    def overdue(self) -> int:
        return sum(1 for part in self.parts for r in part.reminders if r.overdue)


def _recipients(today: dt.date):
    """People who may get a digest today and have not had it looked at yet."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__isnull=False)
        .exclude(email="")
        .exclude(reminder_preference__digest=False)
        .exclude(reminder_digests__date=today)
        .distinct()
    )


def digests_for(today: dt.date) -> list[DigestMail]:
    """Each recipient's digest of ``today`` (empty parts: nothing due). The areas are asked once
    per organization, whatever the number of its members."""
    memberships = (
        Membership.objects.filter(user__in=_recipients(today))
        .select_related("user", "organization")
        .order_by("user_id", "organization__name")
    )
    by_org: dict[int, list] = {}
    mails: dict[int, DigestMail] = {}
    for membership in memberships:
        organization = membership.organization
        if organization.pk not in by_org:
            by_org[organization.pk] = [
                item for item in due_items(organization, today) if rules.in_digest(item, today)
            ]
        mail = mails.setdefault(
            membership.user_id, DigestMail(user=membership.user, today=today, parts=[])
        )
        mine = rules.mine(by_org[organization.pk], membership)
        if mine:
            mail.parts.append(
                OrganizationPart(
                    organization=organization,
                    reminders=[rules.reminder(item, today) for item in mine],
                    list_url=absolute(reverse("reminder_list", kwargs={"org": organization.slug})),
                    settings_url=absolute(
                        reverse("reminder_settings", kwargs={"org": organization.slug})
                    ),
                )
            )
    return list(mails.values())


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def subject_of(mail: DigestMail) -> str:
    parts = []
    if mail.overdue:
        parts.append(f"{mail.overdue} overdue")
    if mail.count - mail.overdue:
        parts.append(f"{mail.count - mail.overdue} due within {rules.DIGEST_DAYS} days")
    return f"OpenAIMS reminders: {', '.join(parts)}"


def text_of(mail: DigestMail) -> str:
    """The plain text body: every title on one line, every link absolute."""
    user = mail.user
    lines = [
        f"Hello {_one_line(user.get_short_name() or user.get_username())},",
        "",
        f"This is what is overdue or due within {rules.DIGEST_DAYS} days for you in OpenAIMS "
        f"on {mail.today:%Y-%m-%d}.",
    ]
    for part in mail.parts:
        lines += [
            "",
            _one_line(part.organization.name),
            "=" * len(_one_line(part.organization.name)),
        ]
        for reminder in part.reminders:
            item = reminder.item
            due = f"{item.due:%Y-%m-%d}" if item.due else "no date"
            lines.append(
                f"- {_one_line(item.title)} ({_one_line(item.kind)}, {reminder.when}: {due})"
            )
            if link := absolute(item.url):
                lines.append(f"  {link}")
        lines.append(f"All your reminders there: {part.list_url}")
    if mail.parts:
        lines += [
            "",
            "You get this e-mail because the daily digest is on in your reminder settings.",
            f"Turn it off there: {mail.parts[0].settings_url}",
        ]
    return "\n".join(lines) + "\n"


def html_of(mail: DigestMail) -> str:
    """The HTML alternative (the template escapes every value)."""
    parts = [
        {
            "part": part,
            "reminders": [(r, absolute(r.item.url)) for r in part.reminders],
        }
        for part in mail.parts
    ]
    return render_to_string(
        "reminders/digest_email.html",
        {"mail": mail, "parts": parts, "days": rules.DIGEST_DAYS, "subject": subject_of(mail)},
    )


def send_digest(mail: DigestMail) -> None:
    message = EmailMultiAlternatives(subject_of(mail), text_of(mail), None, [mail.user.email])
    message.attach_alternative(html_of(mail), "text/html")
    message.send()


def claim(user, today: dt.date, *, outcome: str, items: int) -> bool:
    """Record the person's digest of the day; False when another worker already did."""
    with transaction.atomic():
        _, created = Digest.objects.get_or_create(
            user=user, date=today, defaults={"outcome": outcome, "items": items}
        )
    return created


def send_digests(now: dt.datetime) -> list[str]:
    """The worker's periodic work (hook ``periodic``): send today's digests once the hour has
    come; returns a line for the worker's log per digest sent or failed."""
    local = timezone.localtime(now)
    if local.hour < digest_hour():
        return []
    today = local.date()
    lines = []
    for mail in digests_for(today):
        outcome = Outcome.SENT if mail.parts else Outcome.NOTHING_DUE
        if not claim(mail.user, today, outcome=outcome, items=mail.count):
            continue
        if outcome == Outcome.NOTHING_DUE:
            continue
        who = mail.user.get_username()
        try:
            send_digest(mail)
        except Exception as error:  # SMTP down, refused address: not again today
            log.warning("could not send the reminder digest of %s", who, exc_info=True)
            Digest.objects.filter(user=mail.user, date=today).update(outcome=Outcome.FAILED)
            lines.append(f"Reminder digest of {who} could not be sent: {error}")
            continue
        orgs = len(mail.parts)
        lines.append(
            f"Reminder digest sent to {who}: {mail.count} item{'s' if mail.count != 1 else ''} "
            f"in {orgs} organization{'s' if orgs != 1 else ''}."
        )
    return lines
