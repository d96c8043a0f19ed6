from django.urls import path

from . import views

urlpatterns = [
    path("", views.impact_list, name="impact_list"),
    path("export.csv", views.impact_export_csv, name="impact_export_csv"),
    path("new/", views.impact_create, name="impact_create"),
    path("<int:assessment_id>/", views.impact_detail, name="impact_detail"),
    path("<int:assessment_id>/edit/", views.impact_edit, name="impact_edit"),
    path("<int:assessment_id>/findings/", views.impact_findings, name="impact_findings"),
    path("<int:assessment_id>/delete/", views.impact_delete, name="impact_delete"),
    path("<int:assessment_id>/submit/", views.impact_submit, name="impact_submit"),
    path("<int:assessment_id>/sign-off/", views.impact_sign_off, name="impact_sign_off"),
    path("<int:assessment_id>/schedule/", views.impact_schedule, name="impact_schedule"),
    path("<int:assessment_id>/reassess/", views.impact_reassess, name="impact_reassess"),
    path(
        "<int:assessment_id>/findings/<int:finding_id>/raise-risk/",
        views.impact_raise_risk,
        name="impact_raise_risk",
    ),
    path("<int:assessment_id>/fria/", views.impact_fria, name="impact_fria"),
]
