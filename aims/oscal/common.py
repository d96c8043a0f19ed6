"""What every OSCAL document of OpenAIMS shares: identifiers, UUIDs, dates and the metadata.

UUIDs are version 5, from one fixed project namespace and the identity of what they name (the
organization's id, the kind of record and its id), so two exports of the same record give the
same UUIDs and an importing tool updates its copy instead of adding a second one. A document's
own UUID also takes its ``last-modified``: OSCAL asks that it change when the document is
revised, and stay the same when nothing changed.

OSCAL ids are tokens (a letter or ``_`` first), so a clause id such as ``4.1`` cannot be one
as it is: :func:`control_id` gives ``clause-4.1`` and ``a.6.2.4``; the id as the standard
writes it travels in a ``label`` property.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

OSCAL_VERSION = "1.2.1"

# The namespace of every UUID OpenAIMS gives an OSCAL object: fixed for good, never changed.
NAMESPACE = uuid.UUID("6f1d3c0e-4a42-5b8e-9c1a-42a1d0c0aa42")

# The namespace of the properties OpenAIMS defines (its own names and values, not NIST's).
NS = "urn:openaims:oscal"

# fn(path) -> URL: how a page of the app is linked from a document (a relative path by default;
# the views and the API give the site's address).
Linker = Callable[[str], str]


def relative(path: str) -> str:
    return path


def stable_uuid(*parts: Any) -> str:
    """A version 5 UUID of ``parts`` (the organization's id, a kind of record, its id, ...)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts)))


def org_uuid(organization, *parts: Any) -> str:
    """The UUID of a record of ``organization``: never the same as another organization's."""
    return stable_uuid("organization", organization.pk, *parts)


def control_id(ref: str) -> str:
    """The OSCAL id of a clause or an Annex A control: ``4.1`` -> ``clause-4.1``,
    ``A.6.2.4`` -> ``a.6.2.4``."""
    if ref[:1].isdigit():
        return f"clause-{ref}"
    return ref.lower()


def token(text: str) -> str:
    """A value as an OSCAL token: ``in_progress`` -> ``in-progress``."""
    return re.sub(r"[^A-Za-z0-9.\-]+", "-", str(text)).strip("-").lower() or "none"


def line(text: str, default: str = "") -> str:
    """Text for a one-line OSCAL field (a title): no line breaks, no spaces at either end."""
    return " ".join(str(text or "").split()) or default


def when(moment: dt.datetime | dt.date) -> str:
    """A date or a moment as OSCAL writes it: UTC, with its zone (and the microseconds of a
    moment that has them: two changes in one second are two revisions)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def latest(moments: Iterable[dt.datetime | dt.date | None], default) -> dt.datetime:
    """The latest of ``moments`` (as a moment), or ``default`` when there is none."""
    found = [m if isinstance(m, dt.datetime) else _midnight(m) for m in moments if m is not None]
    return max(found, default=default)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def prop(name: str, value: Any, *, remarks: str = "", ns: str | None = NS) -> dict:
    """A property; OpenAIMS's own names carry :data:`NS`, NIST's (``label``) pass ``ns=None``."""
    found: dict[str, Any] = {"name": name, "value": line(str(value), "none")}
    if ns:
        found["ns"] = ns
    if remarks.strip():
        found["remarks"] = remarks.strip()
    return found


def compact(value: Any) -> Any:
    """``value`` without the keys whose value is empty (``None``, ``""``, ``[]``, ``{}``): in
    OSCAL an optional array holds at least one item and an optional text is not empty, so an
    empty one must be left out, not written. ``include-all`` is the one empty object kept."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            item = compact(item)
            if key == "include-all" or item not in (None, "", [], {}):
                kept[key] = item
        return kept
    if isinstance(value, list):
        return [compact(item) for item in value]
    return value


def metadata(
    title: str,
    last_modified: dt.datetime,
    *,
    version: str,
    organization=None,
    props: list[dict] | None = None,
    remarks: str = "",
    links: list[dict] | None = None,
) -> dict:
    """The metadata of a document; with ``organization``, it is named as the party that owns
    the document (role ``prepared-by``)."""
    found: dict[str, Any] = {
        "title": line(title, "Untitled"),
        "last-modified": when(last_modified),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": props or [],
        "links": links or [],
        "remarks": remarks,
    }
    if organization is not None:
        party = org_uuid(organization, "party")
        found["roles"] = [{"id": "prepared-by", "title": "Prepared by"}]
        found["parties"] = [
            {
                "uuid": party,
                "type": "organization",
                "name": line(organization.name, organization.slug),
            }
        ]
        found["responsible-parties"] = [{"role-id": "prepared-by", "party-uuids": [party]}]
    return found


def document(kind: str, body: dict) -> dict:
    """A whole OSCAL document: ``{kind: body}``, its empty optional fields left out."""
    return {kind: compact(body)}
