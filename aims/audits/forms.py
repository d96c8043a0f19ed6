"""Forms of the internal audit programme: programmes, audits, checklist results, the steps of an
audit, the lists' filters."""

from __future__ import annotations

from django import forms

from aims.catalog.models import Control
from aims.core.forms import NAME_MAX_LENGTH, MemberChoiceField, members_of, person_label
from aims.evidence.models import Evidence
from aims.inventory.models import AISystem

from .coverage import requirement_clauses
from .models import Audit, AuditProgramme, AuditStatus, ChecklistItem, Result

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = AuditProgramme
        fields = ["title", "starts_on", "ends_on", "owner", "objectives", "criteria", "method"]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(
            queryset=members_of(organization),
            required=False,
            empty_label="— nobody yet —",
            help_text="Who manages the programme.",
        )


class RequirementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.ref} {obj.title}"


class AuditForm(forms.ModelForm):
    class Meta:
        model = Audit
        fields = [
            "programme",
            "title",
            "planned_start",
            "planned_end",
            "lead_auditor",
            "team",
            "scope",
            "criteria",
            "clauses",
            "controls",
            "systems",
            "processes",
        ]
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "scope": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 2}),
            "processes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = AuditProgramme.objects.for_org(organization)
        self.fields["programme"].empty_label = None
        members = members_of(organization)
        self.fields["lead_auditor"] = MemberChoiceField(
            queryset=members,
            required=False,
            empty_label="— not chosen yet —",
            label="Lead auditor",
            help_text="Needed to start the audit. An auditor may not audit what they own or "
            "answer for: the app checks it.",
        )
        self.fields["team"] = MembersField(
            queryset=members,
            required=False,
            label="Other auditors",
            help_text="The rest of the audit team, if any.",
            widget=forms.SelectMultiple(attrs={"size": 5}),
        )
        self.fields["clauses"] = RequirementChoice(
            requirement_clauses(),
            required=False,
            label="Clauses in scope",
            help_text="The requirements of clauses 4 to 10 this audit examines; each becomes a "
            "checklist item.",
            widget=forms.SelectMultiple(attrs={"size": 10}),
        )
        self.fields["controls"] = RequirementChoice(
            Control.objects.order_by("position"),
            required=False,
            label="Annex A controls in scope",
            help_text="Each becomes a checklist item.",
            widget=forms.SelectMultiple(attrs={"size": 10}),
        )
        self.fields["systems"].queryset = AISystem.objects.for_org(organization).order_by("name")
        self.fields["systems"].widget.attrs["size"] = 5
        self.fields["systems"].help_text = "The AI systems whose records the audit samples."
        if self.instance.pk is None:
            self.initial.setdefault("team", [])
        else:
            self.initial["team"] = list(self.instance.team.all())
            self.initial["clauses"] = list(self.instance.clauses.all())
            self.initial["controls"] = list(self.instance.controls.all())
            self.initial["systems"] = list(self.instance.systems.all())


class ItemForm(forms.ModelForm):
    """The result of one checklist item. ``evidence_choices`` are the organization's evidence
    records, read once for the whole checklist."""

    result = forms.ChoiceField(choices=[("", "— choose —"), *Result.choices])

    class Meta:
        model = ChecklistItem
        fields = ["result", "notes", "evidence_sampled", "evidence"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "evidence_sampled": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.SelectMultiple(attrs={"size": 3}),
        }

    def __init__(self, *args, organization, evidence_choices=None, **kwargs):
        kwargs.setdefault("auto_id", f"item{kwargs['instance'].pk}_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        field.queryset = Evidence.objects.for_org(organization)
        field.required = False
        field.help_text = "Evidence records of the organization this result rests on."
        if evidence_choices is not None:
            field.widget.choices = evidence_choices
        if self.instance.pk is not None and not self.is_bound:
            self.initial["evidence"] = [e.pk for e in self.instance.evidence.all()]


def evidence_choices(organization) -> list[tuple[int, str]]:
    return list(
        Evidence.objects.for_org(organization).order_by("title", "pk").values_list("pk", "title")
    )


class StartForm(forms.Form):
    started_on = forms.DateField(
        label="Started on", required=False, widget=DATE, help_text="Today when left empty."
    )


class CompleteForm(forms.Form):
    conclusion = forms.CharField(
        max_length=Audit._meta.get_field("conclusion").max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Does the audited part of the AIMS conform to the criteria, and is it "
        "effectively implemented and maintained? Summarize the findings.",
    )
    completed_on = forms.DateField(
        label="Completed on", required=False, widget=DATE, help_text="Today when left empty."
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=Audit._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the audit will not take place.",
    )


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search programmes", "type": "search"}),
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data.get("q") or None}


class AuditFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "Search audits", "type": "search"}),
    )
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *AuditStatus.choices])
    overdue = forms.BooleanField(required=False, label="Overdue")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        programmes = list(
            AuditProgramme.objects.for_org(organization).values_list("pk", "title")[:200]
        )
        # Any id is valid: one that names no programme or member matches no audit.
        self.fields["programme"] = forms.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            widget=forms.Select(choices=[("", "Any programme"), *programmes]),
        )
        self.fields["lead"] = forms.IntegerField(
            required=False,
            min_value=1,
            max_value=2**63 - 1,
            label="Lead auditor",
            widget=forms.Select(
                choices=[
                    ("", "Any lead auditor"),
                    *((u.pk, person_label(u)) for u in members_of(organization)[:200]),
                ]
            ),
        )
        self.order_fields(["q", "programme", "status", "lead", "overdue"])

    def filters(self, today) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        programme = lead = None
        if data.get("programme"):
            programme = AuditProgramme.objects.for_org(self.organization).filter(
                pk=data["programme"]
            ).first() or AuditProgramme(pk=0)
        if data.get("lead"):
            lead = members_of(self.organization).filter(pk=data["lead"]).first()
            if lead is None:
                lead = members_of(self.organization).model(pk=0)
        return {
            "q": data.get("q") or None,
            "programme": programme,
            "status": data.get("status") or None,
            "lead": lead,
            "overdue_on": today if data.get("overdue") else None,
        }
