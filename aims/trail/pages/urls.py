from django.urls import path

from . import views

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("verify/", views.audit_verify, name="audit_verify"),
    path("export.csv", views.audit_export_csv, name="audit_export_csv"),
]
