from django.urls import path

from . import views

urlpatterns = [
    path("", views.nonconformity_list, name="nonconformity_list"),
    path("export.csv", views.nonconformity_export_csv, name="nonconformity_export_csv"),
    path("report/", views.nonconformity_report, name="nonconformity_report"),
    path("report.pdf", views.nonconformity_report_pdf, name="nonconformity_report_pdf"),
    path("new/", views.nonconformity_create, name="nonconformity_create"),
    path("<int:nonconformity_id>/", views.nonconformity_detail, name="nonconformity_detail"),
    path("<int:nonconformity_id>/edit/", views.nonconformity_edit, name="nonconformity_edit"),
    path(
        "<int:nonconformity_id>/analysis/",
        views.nonconformity_analysis,
        name="nonconformity_analysis",
    ),
    path("<int:nonconformity_id>/delete/", views.nonconformity_delete, name="nonconformity_delete"),
    path("<int:nonconformity_id>/close/", views.nonconformity_close, name="nonconformity_close"),
    path(
        "<int:nonconformity_id>/effectiveness/",
        views.effectiveness_review,
        name="nonconformity_effectiveness",
    ),
    path("<int:nonconformity_id>/actions/", views.action_add, name="nonconformity_action_add"),
    path(
        "<int:nonconformity_id>/actions/<int:corrective_action_id>/edit/",
        views.action_edit,
        name="nonconformity_action_edit",
    ),
    path(
        "<int:nonconformity_id>/actions/<int:corrective_action_id>/done/",
        views.action_done,
        name="nonconformity_action_done",
    ),
    path(
        "<int:nonconformity_id>/actions/<int:corrective_action_id>/cancel/",
        views.action_cancel,
        name="nonconformity_action_cancel",
    ),
    path(
        "<int:nonconformity_id>/actions/<int:corrective_action_id>/reopen/",
        views.action_reopen,
        name="nonconformity_action_reopen",
    ),
]
