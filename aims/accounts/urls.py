from django.urls import path

from . import views

urlpatterns = [
    path("", views.security, name="account_security"),
    path("authenticator/", views.enrol, name="mfa_enrol"),
    path("authenticator/remove/", views.remove, name="mfa_remove"),
    path("recovery-codes/", views.recovery_codes, name="mfa_recovery_codes"),
    path("verify/", views.verify, name="mfa_verify"),
]
