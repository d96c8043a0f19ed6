from django import forms

from .models import Organization, Role


class ScopeForm(forms.ModelForm):
    """Name and scope (Managers and Owners); the two-factor requirement too for an Owner."""

    class Meta:
        model = Organization
        fields = ["name", "scope", "require_mfa"]
        labels = {
            "name": "Organization name",
            "scope": "Scope of the AI management system",
            "require_mfa": "Require two-factor sign-in",
        }
        help_texts = {
            "scope": "Clause 4.3: the units, sites, products and AI systems the AIMS covers, the "
            "organization's role (developer, provider, deployer) and anything left out, with why.",
            "require_mfa": "Members must confirm their sign-in with a code from an authenticator "
            "app before they can open this organization; those without one are asked to set it "
            "up (you too, if you have none). API tokens are not affected.",
        }
        widgets = {"scope": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, may_require_mfa: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_require_mfa:
            del self.fields["require_mfa"]


ROLE_HELP = (
    "Owner: everything, including members. AIMS Manager: edits and decides. Contributor: creates "
    "and edits records. Auditor: reads, and plans and records internal audits. Viewer: read only."
)


class InvitationForm(forms.Form):
    """Invite someone by e-mail address or username; they join when they accept."""

    invitee = forms.CharField(
        max_length=254,
        label="E-mail address or username",
        error_messages={"required": "Give the e-mail address or username of the person to invite."},
        help_text="They receive a link to accept or decline. Whether or not they already have "
        "an OpenAIMS account, they join only when they accept.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, help_text=ROLE_HELP)
    is_top_management = forms.BooleanField(
        required=False,
        label="Top management",
        help_text="May take decisions that need authority, such as accepting a risk above appetite.",
    )


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
