from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q

from .models import Organization, Role


class ScopeForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "scope"]
        labels = {"name": "Organization name", "scope": "Scope of the AI management system"}
        help_texts = {
            "scope": "Clause 4.3: the units, sites, products and AI systems the AIMS covers, the "
            "organization's role (developer, provider, deployer) and anything left out, with why."
        }
        widgets = {"scope": forms.Textarea(attrs={"rows": 10})}


ROLE_HELP = (
    "Owner: everything, including members. AIMS Manager: edits and decides. Contributor: creates "
    "and edits records. Auditor and Viewer: read only."
)


class FieldGroup:
    """Some fields of a form, rendered by core/form_fields.html like a form of their own."""

    def __init__(self, form, names):
        self.form, self.names = form, names

    def visible_fields(self):
        return [self.form[name] for name in self.names]

    def hidden_fields(self):
        return []

    def non_field_errors(self):
        return []


class MemberAddForm(forms.Form):
    """Add someone who already has an account, or create an account for them."""

    user = forms.CharField(
        required=False,
        label="Existing user",
        help_text="Username or e-mail address of someone who already has an OpenAIMS account.",
    )
    new_username = forms.CharField(required=False, max_length=150, label="New username")
    new_email = forms.EmailField(required=False, label="E-mail address")
    new_password = forms.CharField(
        required=False,
        label="Initial password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Give it to them safely; they can change it after logging in.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, help_text=ROLE_HELP)
    is_top_management = forms.BooleanField(
        required=False,
        label="Top management",
        help_text="May take decisions that need authority, such as accepting a risk above appetite.",
    )

    @property
    def existing_part(self):
        return FieldGroup(self, ["user"])

    @property
    def new_part(self):
        return FieldGroup(self, ["new_username", "new_email", "new_password"])

    @property
    def access_part(self):
        return FieldGroup(self, ["role", "is_top_management"])

    def clean(self):
        data = super().clean()
        User = get_user_model()
        existing = (data.get("user") or "").strip()
        username = (data.get("new_username") or "").strip()
        if existing and username:
            raise ValidationError(
                "Either name an existing user or create a new one, not both.", code="both"
            )
        if existing:
            matches = list(
                User.objects.filter(Q(username__iexact=existing) | Q(email__iexact=existing))[:2]
            )
            if not matches:
                self.add_error(
                    "user",
                    f"No account is called “{existing}”. Check the spelling, or create a new user "
                    "below.",
                )
            elif len(matches) > 1:
                self.add_error(
                    "user", "Several accounts use this e-mail address; give the username instead."
                )
            else:
                data["account"] = matches[0]
            return data
        if not username:
            raise ValidationError(
                "Name an existing user, or fill in a username, e-mail and password for a new one.",
                code="none",
            )
        if User.objects.filter(username__iexact=username).exists():
            self.add_error(
                "new_username",
                f"The username “{username}” is taken. If this is the person you mean, enter it "
                "under Existing user.",
            )
        if not data.get("new_email") and "new_email" not in self.errors:
            self.add_error("new_email", "Give the new user's e-mail address.")
        password = data.get("new_password") or ""
        if not password:
            self.add_error("new_password", "Choose an initial password.")
        else:
            candidate = User(username=username, email=data.get("new_email") or "")
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("new_password", exc)
        data["new_username"] = username
        return data


class MemberEditForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, help_text=ROLE_HELP)
    is_top_management = forms.BooleanField(
        required=False,
        label="Top management",
        help_text="May take decisions that need authority, such as accepting a risk above appetite.",
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Token name",
        help_text="Where the token is used, e.g. “CI pipeline” or “Model registry sync”.",
    )
