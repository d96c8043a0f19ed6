from django import forms

from .mfa import CODE_MAX_LENGTH


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=CODE_MAX_LENGTH,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class RemoveCodeForm(CodeForm):
    """The code that turns two-factor sign-in off: on the account page among other things, so it
    does not take the focus (on a phone, the keyboard would open at once)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="remove_%s", **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)


class FirstCodeForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "code"
        ].help_text = (
            "The 6-digit code your authenticator app shows for OpenAIMS, to confirm it is set up."
        )
        self.fields["code"].widget.attrs["inputmode"] = "numeric"
