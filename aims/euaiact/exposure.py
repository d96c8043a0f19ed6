"""The fine exposure under the EU AI Act (Art. 99), per risk tier, with its formula.

The Act caps administrative fines at a fixed amount or a share of the worldwide annual turnover
of the preceding year, whichever is higher; for an SME or start-up, whichever is lower
(Art. 99(6)). The figures are caps the authorities decide within, not a forecast: shown so that
top management sees what is at stake, for the business case of the AIMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from aims.inventory.models import RiskTier


@dataclass(frozen=True)
class Cap:
    fixed: int  # EUR
    percent: int  # of worldwide annual turnover
    article: str
    what: str


# The tiers' caps: a prohibited practice (Art. 5), the operators' other obligations (high-risk
# requirements and Art. 50 transparency), and, for every tier, incorrect information supplied.
CAPS = {
    RiskTier.PROHIBITED: Cap(35_000_000, 7, "Art. 99(3)", "a prohibited practice (Art. 5)"),
    RiskTier.HIGH: Cap(15_000_000, 3, "Art. 99(4)", "breaching an operator's obligations"),
    RiskTier.LIMITED: Cap(15_000_000, 3, "Art. 99(4)", "breaching the transparency duties"),
}
INCORRECT_INFORMATION = Cap(
    7_500_000, 1, "Art. 99(5)", "incorrect, incomplete or misleading information to authorities"
)


def euros(amount) -> str:
    return f"EUR {Decimal(amount):,.0f}"


@dataclass(frozen=True)
class Exposure:
    cap: Cap
    turnover: Decimal | None
    is_sme: bool

    @property
    def share(self) -> Decimal | None:
        if self.turnover is None:
            return None
        return (self.turnover * self.cap.percent / 100).quantize(Decimal(1))

    @property
    def amount(self) -> Decimal | None:
        """The cap in euros; None when it cannot be known without the turnover (for an SME,
        whose cap is the lower figure)."""
        share = self.share
        if share is None:
            return None if self.is_sme else Decimal(self.cap.fixed)
        pick = min if self.is_sme else max
        return pick(Decimal(self.cap.fixed), share)

    @property
    def at_least(self) -> bool:
        """The amount is a floor: the turnover is not known, so the share may be higher."""
        return self.turnover is None and not self.is_sme

    @property
    def formula(self) -> str:
        rule = "lower" if self.is_sme else "higher"
        fixed, percent = euros(self.cap.fixed), f"{self.cap.percent} %"
        if self.turnover is None:
            return (
                f"{fixed} or {percent} of worldwide annual turnover, whichever is {rule} "
                f"({self.cap.article}); the turnover is not recorded."
            )
        pick = "min" if self.is_sme else "max"
        return (
            f"{pick}({fixed}; {percent} × {euros(self.turnover)} = {euros(self.share)}) = "
            f"{euros(self.amount)}: whichever is {rule} ({self.cap.article}"
            + (", Art. 99(6) for an SME" if self.is_sme else "")
            + ")."
        )


def exposure(tier: str, profile=None) -> Exposure | None:
    """The exposure of a system of ``tier`` for the organization of ``profile`` (an
    :class:`~aims.euaiact.models.ActProfile`, or None); None for a tier without a cap of its own
    (minimal risk, or not classified)."""
    cap = CAPS.get(tier)
    if cap is None:
        return None
    turnover = profile.annual_turnover if profile is not None else None
    return Exposure(cap, turnover, bool(profile and profile.is_sme))


def information_exposure(profile=None) -> Exposure:
    """The cap for misleading the authorities, which every operator faces."""
    turnover = profile.annual_turnover if profile is not None else None
    return Exposure(INCORRECT_INFORMATION, turnover, bool(profile and profile.is_sme))


def worst(tiers, profile=None) -> Exposure | None:
    """The highest cap among ``tiers`` (the organization's systems): the business case's
    headline figure."""
    found = [e for tier in set(tiers) if (e := exposure(tier, profile)) is not None]
    return max(found, key=lambda e: (e.cap.fixed, e.cap.percent), default=None)
