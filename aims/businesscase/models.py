"""The organization's own figures for the business case of its AIMS.

Every field is optional: an empty one means "use the estimate", which
:mod:`aims.businesscase.assumptions` computes from the number of AI systems in scope and states beside
the figure, so the AIMS manager overrides only what the organization knows better. The bounds
keep a mistyped figure (a turnover in a day rate, a percentage over 100) from making the case
absurd: each is far beyond any real value, and the form says so beside the field.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

MAX_DAYS = 100_000  # person-days: several hundred people for a year
MAX_DAY_RATE = 10_000  # EUR per person-day
MAX_AMOUNT = 10**10  # EUR: a cost or a yearly benefit
MAX_COUNT = 100_000  # questionnaires or incidents a year


def _euros(verbose_name: str, help_text: str, limit: int = MAX_AMOUNT):
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(limit)],
        help_text=help_text,
    )


def _percent(verbose_name: str, help_text: str):
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal(100))],
        help_text=help_text,
    )


def _number(verbose_name: str, help_text: str, limit: int):
    return models.DecimalField(
        verbose_name,
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(limit)],
        help_text=help_text,
    )


class Assumptions(models.Model):
    """What the organization entered for its business case; empty fields use the estimates."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="business_case"
    )
    # --- Cost ---
    implementation_days = _number(
        "person-days to implement",
        "Internal effort to set the AIMS up, once: scope, policy, risk and impact assessments, "
        "documentation, internal audit and management review.",
        MAX_DAYS,
    )
    running_days = _number(
        "person-days a year to run it",
        "Internal effort each year once it runs: reviews, monitoring, audits, training.",
        MAX_DAYS,
    )
    day_rate = _euros(
        "cost of a person-day (EUR)",
        "The loaded internal cost of one person-day.",
        MAX_DAY_RATE,
    )
    tools_per_year = _euros("tools a year (EUR)", "Software, hosting and licences, each year.")
    certification_audit = _euros(
        "certification audit (EUR)",
        "The certification body's initial audit (stage 1 and stage 2), once.",
    )
    surveillance_audit = _euros(
        "surveillance audits a year (EUR)", "The certification body's yearly surveillance audit."
    )
    # --- Benefits ---
    enforcement_likelihood = _percent(
        "likelihood of a fine in a year (%)",
        "The chance that an authority fines the organization under the EU AI Act in a year.",
    )
    exposure_reduction = _percent(
        "reduction of that exposure by the AIMS (%)",
        "How much less likely or smaller a fine is with the AIMS's documented conformity.",
    )
    questionnaires_per_year = _number(
        "customer due-diligence questionnaires a year",
        "AI and security questionnaires from customers' procurement that a certificate answers.",
        MAX_COUNT,
    )
    days_per_questionnaire = _number(
        "person-days saved per questionnaire",
        "Effort saved on each questionnaire by pointing to the certificate.",
        1_000,
    )
    trust_value = _euros(
        "value of trust a year (EUR)",
        "Margin the organization expects to keep or win because customers trust its AI "
        "(renewals, fewer complaints). Not counted unless entered.",
    )
    incidents_per_year = _number(
        "AI incidents a year", "Incidents with the organization's AI systems in a year.", MAX_COUNT
    )
    cost_per_incident = _euros(
        "cost of an incident (EUR)",
        "Handling, remediation, compensation and lost business for one incident.",
    )
    incident_reduction = _percent(
        "incidents avoided by the AIMS (%)",
        "The share of incidents that checks, monitoring and oversight prevent.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    audit_exclude = ("updated_at",)

    class Meta:
        verbose_name = "business case assumptions"
        verbose_name_plural = "business case assumptions"

    def __str__(self) -> str:
        return f"Business case assumptions of {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("business_case", kwargs={"org": self.organization.slug})
