"""Forms of AI objectives and KPIs: the records, a measurement, an import, the list filters."""

from __future__ import annotations

from django import forms

from aims.catalog.links import requirement_fields
from aims.catalog.models import AIObjective, Clause
from aims.checks.models import Check
from aims.core.areas import measures
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of

from .models import KPI, KPIStatus, Measurement, Objective, ObjectiveStatus
from .services import DEFAULT_CLAUSE, IMPORT_MAX_BYTES, metric_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = [
            "title",
            "plan",
            "resources",
            "owner",
            "deadline",
            "evaluation",
            "status",
            "annex_objectives",
        ]
        widgets = {
            "plan": forms.Textarea(attrs={"rows": 4}),
            "resources": forms.Textarea(attrs={"rows": 3}),
            "evaluation": forms.Textarea(attrs={"rows": 3}),
            "deadline": DATE,
            "annex_objectives": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member responsible for achieving it (6.2 h).",
        )
        self.fields["annex_objectives"].queryset = AIObjective.objects.order_by("position")
        self.fields.update(requirement_fields())
        if self.instance.pk:
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())
        else:
            self.initial["clauses"] = list(Clause.objects.filter(ref=DEFAULT_CLAUSE))


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = [
            "name",
            "description",
            "unit",
            "target",
            "direction",
            "band",
            "tolerance",
            "frequency",
            "owner",
            "objectives",
            "source",
            "check_definition",
            "check_metric",
            "measure_key",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="The member who measures and reports it.",
        )
        self.fields["objectives"].queryset = Objective.objects.for_org(organization)
        self.fields["check_definition"].queryset = Check.objects.for_org(
            organization
        ).select_related("system")
        self.fields["check_definition"].empty_label = "— not fed by a check —"
        self.fields["check_metric"] = forms.ChoiceField(
            label="Metric of the check",
            required=False,
            choices=[("", "— choose, for a KPI fed by a check —"), *metric_choices()],
            help_text="Which figure of each run becomes the measurement.",
        )
        available = measures()
        self.fields["measure_key"] = forms.ChoiceField(
            label="App measure",
            required=False,
            choices=[
                ("", "— choose, for a KPI following an app figure —"),
                *(
                    (key, f"{m.label} ({m.unit})" if m.unit else m.label)
                    for key, m in sorted(available.items(), key=lambda item: item[1].label)
                ),
            ],
            help_text="A figure the app computes, sampled once a day."
            if available
            else "No area of this installation computes a figure yet.",
        )


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["date", "value", "note"]
        widgets = {"date": DATE}
        help_texts = {"date": "Today or earlier.", "note": "Where the figure comes from."}


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns kpi,date,value,note (a header row first); kpi is the KPI's name; "
        "dates as YYYY-MM-DD. At most 1 MiB and 5,000 rows. Nothing is imported if any row "
        "is wrong.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 1 MiB.")
        return upload


class ObjectiveFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search objectives", "type": "search"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ObjectiveStatus.choices]
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any owner")
    overdue = forms.BooleanField(required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization), required=False, empty_label="Any owner"
        )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or None,
            "status": data.get("status") or None,
            "owner": data.get("owner"),
            "overdue": data.get("overdue") or None,
        }


class KPIFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search KPIs", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *KPIStatus.choices])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data.get("q") or None, "status": self.cleaned_data.get("status")}
