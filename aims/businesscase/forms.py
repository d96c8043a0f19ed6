from __future__ import annotations

from django import forms

from .models import MAX_AMOUNT, MAX_COUNT, MAX_DAY_RATE, MAX_DAYS, Assumptions

COSTS = [
    "implementation_days",
    "running_days",
    "day_rate",
    "tools_per_year",
    "certification_audit",
    "surveillance_audit",
]
BENEFITS = [
    "enforcement_likelihood",
    "exposure_reduction",
    "questionnaires_per_year",
    "days_per_questionnaire",
    "trust_value",
    "incidents_per_year",
    "cost_per_incident",
    "incident_reduction",
]
LIMITS = {
    "implementation_days": (MAX_DAYS, "person-days", "0.1"),
    "running_days": (MAX_DAYS, "person-days", "0.1"),
    "day_rate": (MAX_DAY_RATE, "EUR", "1"),
    "tools_per_year": (MAX_AMOUNT, "EUR", "1"),
    "certification_audit": (MAX_AMOUNT, "EUR", "1"),
    "surveillance_audit": (MAX_AMOUNT, "EUR", "1"),
    "enforcement_likelihood": (100, "%", "0.01"),
    "exposure_reduction": (100, "%", "0.01"),
    "questionnaires_per_year": (MAX_COUNT, "questionnaires", "0.1"),
    "days_per_questionnaire": (1_000, "person-days", "0.1"),
    "trust_value": (MAX_AMOUNT, "EUR", "1"),
    "incidents_per_year": (MAX_COUNT, "incidents", "0.1"),
    "cost_per_incident": (MAX_AMOUNT, "EUR", "1"),
    "incident_reduction": (100, "%", "0.01"),
}


class AssumptionsForm(forms.ModelForm):
    """The organization's figures; an empty field keeps the estimate, shown as its placeholder
    and beside the field."""

    class Meta:
        model = Assumptions
        fields = COSTS + BENEFITS

    def __init__(self, *args, estimates=None, **kwargs):
        super().__init__(*args, **kwargs)
        estimates = estimates or {}
        for name, field in self.fields.items():
            limit, unit, step = LIMITS[name]
            field.widget.attrs.update({"min": 0, "max": str(limit), "step": step})
            found = estimates.get(name)
            if found is not None:
                field.widget.attrs["placeholder"] = found.shown
                field.help_text = (
                    f"{field.help_text} Leave empty to use the estimate: {found.shown}."
                )
            shown_limit = f"{limit:,}"
            too_big = (
                # %% : Django formats these messages with the validator's parameters.
                f"At most {shown_limit} %%: a share cannot be more than the whole."
                if unit == "%"
                else f"At most {shown_limit} {unit}: check the number of digits."
            )
            field.error_messages.update(
                {
                    "min_value": "Zero or more: a figure cannot be negative.",
                    "max_value": too_big,
                    "max_digits": too_big,
                    "max_whole_digits": too_big,
                    "max_decimal_places": (
                        "In whole euros, without cents."
                        if unit == "EUR"
                        else f"At most {len(step.split('.')[1]) if '.' in step else 0} "
                        "decimal places."
                    ),
                    "invalid": "Enter a number, with a dot for decimals (12.5).",
                }
            )

    def cost_fields(self):
        return [self[name] for name in COSTS]

    def benefit_fields(self):
        return [self[name] for name in BENEFITS]
