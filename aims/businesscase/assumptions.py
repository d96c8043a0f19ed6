"""The assumptions of the business case: each figure entered by the organization
(:class:`~aims.businesscase.models.Assumptions`) or estimated from the number of systems in scope
with the stated defaults of :data:`ESTIMATES`; and how its amounts are written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from aims.euaiact.exposure import euros

from .models import Assumptions

ONE = Decimal(1)
TENTH = Decimal("0.1")
HUNDRED = Decimal(100)
CYCLE_YEARS = 3  # a certificate's cycle: initial audit, two surveillance audits
SOURCE_ENTERED = "Entered by the organization"
ART_99 = "Regulation (EU) 2024/1689"


def money(value: Decimal) -> Decimal:
    return value.quantize(ONE, rounding=ROUND_HALF_UP)


def number(value: Decimal) -> str:
    """12 -> "12"; 12.5 -> "12.5"; 1500 -> "1,500"."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def percent(value: Decimal) -> str:
    return f"{number(value)} %"


# --- Assumptions: entered, or estimated -------------------------------------------------------


@dataclass(frozen=True)
class Default:
    """How an assumption is estimated when the organization has not entered it: ``base`` plus
    ``per_system`` for each AI system in scope."""

    base: Decimal
    per_system: Decimal = Decimal(0)
    why: str = ""


ESTIMATES: dict[str, Default] = {
    "implementation_days": Default(
        Decimal(40),
        Decimal(15),
        "about 40 person-days for the management system itself, plus 15 per AI system for its "
        "risk and impact assessments, documentation and checks",
    ),
    "running_days": Default(
        Decimal(20),
        Decimal(5),
        "about 20 person-days a year for reviews, internal audit and training, plus 5 per AI "
        "system for monitoring",
    ),
    "day_rate": Default(Decimal(600), why="a loaded internal cost of EUR 600 a person-day"),
    "tools_per_year": Default(
        Decimal(3_000),
        why="hosting and backups of the AIMS tool (OpenAIMS itself has no licence fee)",
    ),
    "certification_audit": Default(
        Decimal(12_000),
        Decimal(2_000),
        "stage 1 and stage 2 audit days of a certification body, more with each system in scope",
    ),
    # surveillance_audit: half the certification audit (see _surveillance)
    "enforcement_likelihood": Default(
        Decimal(2), why="a 2 % chance a year of a fine under the Act"
    ),
    "exposure_reduction": Default(
        Decimal(50), why="documented conformity halves the likelihood or size of a fine"
    ),
    "questionnaires_per_year": Default(
        Decimal(0), Decimal(2), "2 customer questionnaires a year per AI system in scope"
    ),
    "days_per_questionnaire": Default(
        Decimal(2), why="2 person-days saved on each by pointing to the certificate"
    ),
    "trust_value": Default(
        Decimal(0), why="not counted unless entered: the case does not rest on it"
    ),
    # incidents_per_year: the register's last 12 months, else one every two years per system
    "cost_per_incident": Default(
        Decimal(25_000), why="EUR 25,000 to handle, remedy and compensate one incident"
    ),
    "incident_reduction": Default(
        Decimal(30), why="checks, monitoring and oversight prevent 3 incidents in 10"
    ),
}
SURVEILLANCE_SHARE = Decimal(50)  # % of the certification audit, each year
INCIDENTS_PER_SYSTEM = Decimal("0.5")  # a year, when the register has none of the last year


@dataclass(frozen=True)
class Assumption:
    """One input of the case: its value, and where it comes from (entered, or the estimate
    with its reasoning)."""

    key: str
    label: str
    unit: str  # "EUR", "days", "%", "count"
    value: Decimal
    entered: bool
    source: str
    help_text: str = ""

    @property
    def from_records(self) -> bool:
        """Taken from the organization's records (the incident register), not estimated."""
        return not self.entered and not self.source.startswith("Estimate: ")

    @property
    def basis(self) -> str:
        """How an estimate is made, without the "Estimate:" its source starts with."""
        return self.source.removeprefix("Estimate: ")

    @property
    def shown(self) -> str:
        if self.unit == "EUR":
            return euros(self.value)
        if self.unit == "%":
            return percent(self.value)
        if self.unit == "days":
            return f"{number(self.value)} person-day{'s' if self.value != 1 else ''}"
        return number(self.value)


def _label(name: str) -> str:
    return str(Assumptions._meta.get_field(name).verbose_name)


def _help(name: str) -> str:
    return str(Assumptions._meta.get_field(name).help_text)


UNITS = {
    "implementation_days": "days",
    "running_days": "days",
    "day_rate": "EUR",
    "tools_per_year": "EUR",
    "certification_audit": "EUR",
    "surveillance_audit": "EUR",
    "enforcement_likelihood": "%",
    "exposure_reduction": "%",
    "questionnaires_per_year": "count",
    "days_per_questionnaire": "days",
    "trust_value": "EUR",
    "incidents_per_year": "count",
    "cost_per_incident": "EUR",
    "incident_reduction": "%",
}


def _estimated(key: str, systems: int) -> tuple[Decimal, str]:
    default = ESTIMATES[key]
    value = default.base + default.per_system * systems
    if default.per_system:
        unit = "EUR " if UNITS[key] == "EUR" else ""
        base = f"{unit}{number(default.base)} + " if default.base else ""
        how = (
            f"{base}{unit}{number(default.per_system)} × {systems} system"
            f"{'s' if systems != 1 else ''} in scope"
        )
        return value, f"Estimate: {how} ({default.why})"
    return value, f"Estimate: {default.why}"


def assumptions_of(
    stored: Assumptions | None, *, systems: int, incidents_last_year: int
) -> dict[str, Assumption]:
    """Every input of the case, entered or estimated, by field name."""
    found: dict[str, Assumption] = {}

    def add(key: str, estimate: Callable[[], tuple[Decimal, str]]) -> None:
        entered = getattr(stored, key) if stored is not None else None
        if entered is not None:
            value, source = Decimal(entered), SOURCE_ENTERED
        else:
            value, source = estimate()
        found[key] = Assumption(
            key, _label(key), UNITS[key], value, entered is not None, source, _help(key)
        )

    for key in UNITS:
        if key == "surveillance_audit":
            certification = found["certification_audit"].value
            add(
                key,
                lambda c=certification: (
                    money(c * SURVEILLANCE_SHARE / HUNDRED),
                    f"Estimate: {percent(SURVEILLANCE_SHARE)} of the certification audit "
                    f"{euros(c)}, each year",
                ),
            )
        elif key == "incidents_per_year":
            if incidents_last_year:
                add(
                    key,
                    lambda: (
                        Decimal(incidents_last_year),
                        f"Incident register: {incidents_last_year} incident"
                        f"{'s' if incidents_last_year != 1 else ''} in the last 12 months",
                    ),
                )
            else:
                add(
                    key,
                    lambda: (
                        INCIDENTS_PER_SYSTEM * systems,
                        f"Estimate: {number(INCIDENTS_PER_SYSTEM)} × {systems} system"
                        f"{'s' if systems != 1 else ''} in scope (one incident every two years "
                        "per system; the register has none in the last 12 months)",
                    ),
                )
        else:
            add(key, lambda k=key: _estimated(k, systems))
    return found
