from django.urls import path

from . import checklist_views, views

urlpatterns = [
    path("", views.audit_list, name="audit_list"),
    path("export.csv", views.internal_audit_export_csv, name="internal_audit_export_csv"),
    path("new/", views.audit_create, name="audit_create"),
    path("programmes/", views.programme_list, name="audit_programme_list"),
    path("programmes/export.csv", views.programme_export_csv, name="audit_programme_export_csv"),
    path("programmes/new/", views.programme_create, name="audit_programme_create"),
    path(
        "programmes/<int:programme_id>/",
        views.programme_detail,
        name="audit_programme_detail",
    ),
    path(
        "programmes/<int:programme_id>/edit/",
        views.programme_edit,
        name="audit_programme_edit",
    ),
    path(
        "programmes/<int:programme_id>/delete/",
        views.programme_delete,
        name="audit_programme_delete",
    ),
    path(
        "programmes/<int:programme_id>/coverage/",
        views.programme_coverage,
        name="audit_programme_coverage",
    ),
    path("<int:audit_id>/", views.audit_detail, name="audit_detail"),
    path("<int:audit_id>/edit/", views.audit_edit, name="audit_edit"),
    path("<int:audit_id>/delete/", views.audit_delete, name="audit_delete"),
    path("<int:audit_id>/start/", views.audit_start, name="audit_start"),
    path("<int:audit_id>/cancel/", views.audit_cancel, name="audit_cancel"),
    path("<int:audit_id>/complete/", checklist_views.audit_complete, name="audit_complete"),
    path("<int:audit_id>/checklist/", checklist_views.audit_checklist, name="audit_checklist"),
    path(
        "<int:audit_id>/checklist/<int:audit_item_id>/",
        checklist_views.item_save,
        name="audit_item_save",
    ),
    path(
        "<int:audit_id>/checklist/<int:audit_item_id>/nonconformity/",
        checklist_views.item_raise,
        name="audit_item_raise",
    ),
    path(
        "<int:audit_id>/checklist/<int:audit_item_id>/improvement/",
        checklist_views.item_improvement,
        name="audit_item_improvement",
    ),
    path("<int:audit_id>/report/", checklist_views.audit_report, name="audit_report"),
    path("<int:audit_id>/report.pdf", checklist_views.audit_report_pdf, name="audit_report_pdf"),
]
