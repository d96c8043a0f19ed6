from django.urls import path

from . import concern_views, views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("export.csv", views.incident_export_csv, name="incident_export_csv"),
    path("new/", views.incident_create, name="incident_create"),
    path("from-run/<int:run_id>/", views.incident_from_run, name="incident_from_run"),
    path("from-alert/<int:alert_id>/", views.incident_from_alert, name="incident_from_alert"),
    path("<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("<int:incident_id>/edit/", views.incident_edit, name="incident_edit"),
    path("<int:incident_id>/delete/", views.incident_delete, name="incident_delete"),
    path("<int:incident_id>/status/", views.incident_transition, name="incident_transition"),
    path("<int:incident_id>/report/", views.incident_report, name="incident_report"),
    path("<int:incident_id>/timeline/", views.incident_timeline_add, name="incident_timeline_add"),
    path(
        "<int:incident_id>/communications/",
        views.incident_communication_add,
        name="incident_communication_add",
    ),
    path("concerns/", concern_views.concern_list, name="concern_list"),
    path("concerns/export.csv", concern_views.concern_export_csv, name="concern_export_csv"),
    path("concerns/new/", concern_views.concern_create, name="concern_create"),
    path("concerns/public-link/", concern_views.concern_intake, name="concern_intake"),
    path("concerns/<int:concern_id>/", concern_views.concern_detail, name="concern_detail"),
    path("concerns/<int:concern_id>/triage/", concern_views.concern_triage, name="concern_triage"),
]
