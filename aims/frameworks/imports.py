"""Read an organization's own framework from a CSV file or an OSCAL catalog, bounded, and say
every problem by row before anything is saved.

Both readers return a :class:`Parsed` (requirements, each with its parent and its ISO/IEC 42001
mapping) or raise :class:`ImportRejected` with the list of problems; the service writes a
``Parsed`` in one transaction. Nothing is half-saved: one bad row rejects the file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema_rs

from aims.catalog.models import Clause, Control

from .loader import DATA_DIR, catalog_ref

MAX_FILE_BYTES = 1024 * 1024  # 1 MiB: a control set of thousands of rows is well under it
MAX_OSCAL_BYTES = int(1.5 * 1024 * 1024)  # under the 2 MiB a form may send
MAX_ROWS = 2000
MAX_ID = 100
MAX_TITLE = 300
MAX_REFS = 30  # 42001 ids on one row
MAX_DEPTH = 8  # nesting of groups and controls in an OSCAL catalog
MAX_ERRORS = 50  # listed; a file with more says how many more
COLUMNS = ("id", "title", "parent", "mapping")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: ``row`` is the line of the file (the header is line 1), or 0
    for the file as a whole."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


class ImportRejected(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


@dataclass
class Item:
    ref: str
    title: str
    parent: str = ""
    kind: str = ""
    mapping: list[str] = field(default_factory=list)  # 42001 ids as written


@dataclass
class Parsed:
    items: list[Item]
    title: str = ""
    version: str = ""
    publisher: str = ""


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportRejected([Problem(line, "", "contains a NUL byte; save the file as text.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected(
            [Problem(line, "", "is not UTF-8 text; save the file as CSV UTF-8.")]
        ) from exc


def known_refs() -> set[str]:
    """The ISO/IEC 42001 ids a mapping may name: clause numbers and Annex A controls."""
    return set(Clause.objects.values_list("ref", flat=True)) | set(
        Control.objects.values_list("ref", flat=True)
    )


def read_csv(data: bytes) -> Parsed:
    """Read a CSV with the columns id, title, parent, mapping (42001 ids separated by ";")."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected([Problem(0, "", f"is larger than {MAX_FILE_BYTES // 1024} KiB.")])
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ImportRejected([Problem(0, "", "is empty.")]) from None
    except csv.Error as exc:
        raise ImportRejected([Problem(1, "", f"cannot be read as CSV ({exc}).")]) from exc
    missing = [c for c in ("id", "title") if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown:
        said = []
        if missing:
            said.append(f"no column {', '.join(missing)}")
        if unknown:
            said.append(f"unknown column {', '.join(unknown)}")
        raise ImportRejected(
            [Problem(1, "", f"has {' and '.join(said)}; the columns are {', '.join(COLUMNS)}.")]
        )
    known = known_refs()
    problems: list[Problem] = []
    items: list[Item] = []
    seen: dict[str, int] = {}
    line = 1
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(items) >= MAX_ROWS:
                problems.append(Problem(line, "", f"more than {MAX_ROWS} rows; split the file."))
                break
            if len(values) > len(header):
                problems.append(Problem(line, "", "has more values than the header has columns."))
                continue
            row = dict(zip(header, [v.strip() for v in values], strict=False))
            item = Item(
                ref=row.get("id", ""),
                title=row.get("title", ""),
                parent=row.get("parent", ""),
                mapping=[r.strip() for r in row.get("mapping", "").split(";") if r.strip()],
            )
            problems.extend(_check_item(item, line, seen=seen, known=known))
            seen.setdefault(item.ref, line)
            items.append(item)
    except csv.Error as exc:
        problems.append(Problem(line + 1, "", f"cannot be read as CSV ({exc})."))
    if not items and not problems:
        problems.append(Problem(0, "", "has no rows under its header."))
    if problems:
        raise ImportRejected(problems)
    return Parsed(items)


def _check_item(item: Item, line: int, *, seen: dict[str, int], known: set[str]) -> list[Problem]:
    problems = []
    if not item.ref:
        problems.append(Problem(line, "id", "is empty."))
    elif len(item.ref) > MAX_ID:
        problems.append(Problem(line, "id", f"is longer than {MAX_ID} characters."))
    elif item.ref in seen:
        problems.append(Problem(line, "id", f"{item.ref} is used already on row {seen[item.ref]}."))
    if not item.title:
        problems.append(Problem(line, "title", "is empty."))
    elif len(item.title) > MAX_TITLE:
        problems.append(Problem(line, "title", f"is longer than {MAX_TITLE} characters."))
    if item.parent and item.parent == item.ref:
        problems.append(Problem(line, "parent", "names the row itself."))
    elif item.parent and item.parent not in seen:
        problems.append(
            Problem(
                line,
                "parent",
                f"unknown parent {item.parent[:MAX_ID]}: a parent is an id on an earlier row.",
            )
        )
    if len(item.mapping) > MAX_REFS:
        problems.append(Problem(line, "mapping", f"names more than {MAX_REFS} ids."))
    else:
        unknown = [r for r in item.mapping if catalog_ref(r) not in known]
        if unknown:
            problems.append(
                Problem(
                    line,
                    "mapping",
                    f"unknown ISO/IEC 42001 id {', '.join(r[:20] for r in unknown)} (a clause "
                    "such as 6.1.2 or an Annex A control such as A.6.2.4).",
                )
            )
    return problems


# --- OSCAL catalogs --------------------------------------------------------------------------


@cache
def _catalog_validator():
    """The OSCAL 1.2.1 catalog schema (``jsonschema_rs``: its regex engine understands the
    schema's ``\\p{L}``, which Python's ``re`` does not)."""
    schema = json.loads(Path(DATA_DIR / "oscal_catalog_schema.json").read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema)


def _where(path) -> str:
    return "/".join(str(p) for p in path) or "the document"


def read_oscal_catalog(data: bytes) -> Parsed:
    """Read the groups and controls of an OSCAL catalog (JSON): ids and titles only, each with
    its parent (a group, or the control a control enhances)."""
    if len(data) > MAX_OSCAL_BYTES:
        raise ImportRejected([Problem(0, "", f"is larger than {MAX_OSCAL_BYTES // 1024} KiB.")])
    text = _decode(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [Problem(exc.lineno, "", f"is not valid JSON ({exc.msg}, column {exc.colno}).")]
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("catalog"), dict):
        raise ImportRejected(
            [Problem(0, "", 'is not an OSCAL catalog: it has no top-level "catalog" object.')]
        )
    catalog = document["catalog"]
    items: list[Item] = []
    problems: list[Problem] = []
    seen: set[str] = set()

    def walk(entries, parent: str, path: list, depth: int, kind: str) -> None:
        if not isinstance(entries, list):
            problems.append(Problem(0, "", f"{_where(path)} is not a list."))
            return
        if depth > MAX_DEPTH:
            problems.append(Problem(0, "", f"{_where(path)} nests deeper than {MAX_DEPTH}."))
            return
        for n, entry in enumerate(entries):
            where = [*path, n]
            if len(items) >= MAX_ROWS:
                problems.append(Problem(0, "", f"holds more than {MAX_ROWS} groups and controls."))
                return
            if not isinstance(entry, dict):
                problems.append(Problem(0, "", f"{_where(where)} is not an object."))
                continue
            ref = entry.get("id") or (f"{parent}/{n + 1}" if parent else f"group-{n + 1}")
            title = entry.get("title")
            if not isinstance(ref, str) or not isinstance(title, str) or not title.strip():
                problems.append(Problem(0, "", f"{_where(where)} has no id or no title."))
                continue
            if len(ref) > MAX_ID or len(title) > MAX_TITLE:
                problems.append(
                    Problem(0, "", f"{_where(where)}: id or title too long ({ref[:40]}).")
                )
                continue
            if ref in seen:
                problems.append(Problem(0, "", f"{_where(where)}: id {ref} is used twice."))
                continue
            seen.add(ref)
            items.append(Item(ref=ref, title=title.strip(), parent=parent, kind=kind))
            walk(entry.get("groups", []), ref, [*where, "groups"], depth + 1, "Group")
            walk(entry.get("controls", []), ref, [*where, "controls"], depth + 1, "Control")

    walk(catalog.get("groups", []), "", ["catalog", "groups"], 0, "Group")
    walk(catalog.get("controls", []), "", ["catalog", "controls"], 0, "Control")
    if not problems:
        for error in _catalog_validator().iter_errors(document):
            problems.append(
                Problem(
                    0,
                    "",
                    f"does not follow the OSCAL 1.2.1 catalog schema at "
                    f"{_where(error.instance_path)}: {error.message[:200]}",
                )
            )
            if len(problems) >= 5:
                break
    if not items and not problems:
        problems.append(Problem(0, "", "has no groups or controls."))
    if problems:
        raise ImportRejected(problems[:MAX_ERRORS])
    metadata = catalog.get("metadata") if isinstance(catalog.get("metadata"), dict) else {}
    return Parsed(
        items,
        title=str(metadata.get("title", ""))[:MAX_TITLE],
        version=str(metadata.get("version", ""))[:40],
        publisher="",
    )
