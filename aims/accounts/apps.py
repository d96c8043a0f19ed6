from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aims.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from . import lockout  # noqa: F401  (connects the lockout receiver)
