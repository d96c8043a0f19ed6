from django.urls import path

from . import roadmap_views, views

urlpatterns = [
    path("", views.readiness_list, name="readiness_list"),
    path("export.csv", views.readiness_export_csv, name="readiness_export_csv"),
    path("new/", views.readiness_create, name="readiness_create"),
    path("compare/", views.readiness_compare, name="readiness_compare"),
    path("checklist/", roadmap_views.readiness_checklist, name="readiness_checklist"),
    path("checklist/<slug:item_key>/", roadmap_views.readiness_tick, name="readiness_tick"),
    path("roadmap/", roadmap_views.readiness_roadmap, name="readiness_roadmap"),
    path("roadmap/export.csv", roadmap_views.readiness_roadmap_csv, name="readiness_roadmap_csv"),
    path("roadmap/new/", roadmap_views.readiness_action_create, name="readiness_action_create"),
    path(
        "roadmap/<int:action_id>/",
        roadmap_views.readiness_action_detail,
        name="readiness_action_detail",
    ),
    path(
        "roadmap/<int:action_id>/edit/",
        roadmap_views.readiness_action_edit,
        name="readiness_action_edit",
    ),
    path(
        "roadmap/<int:action_id>/done/",
        roadmap_views.readiness_action_done,
        name="readiness_action_done",
    ),
    path(
        "roadmap/<int:action_id>/reopen/",
        roadmap_views.readiness_action_reopen,
        name="readiness_action_reopen",
    ),
    path(
        "roadmap/<int:action_id>/delete/",
        roadmap_views.readiness_action_delete,
        name="readiness_action_delete",
    ),
    path("<int:assessment_id>/", views.readiness_detail, name="readiness_detail"),
    path("<int:assessment_id>/edit/", views.readiness_edit, name="readiness_edit"),
    path("<int:assessment_id>/delete/", views.readiness_delete, name="readiness_delete"),
    path("<int:assessment_id>/accept/", views.readiness_accept, name="readiness_accept"),
    path("<int:assessment_id>/refresh/", views.readiness_refresh, name="readiness_refresh"),
    path("<int:assessment_id>/complete/", views.readiness_complete, name="readiness_complete"),
    path("<int:assessment_id>/items.csv", views.readiness_items_csv, name="readiness_items_csv"),
    path("<int:assessment_id>/summary/", views.readiness_summary, name="readiness_summary"),
    path("<int:assessment_id>/report/", views.readiness_report, name="readiness_report"),
    path("<int:assessment_id>/report.pdf", views.readiness_report_pdf, name="readiness_report_pdf"),
    path(
        "<int:assessment_id>/items/<int:item_id>/",
        views.readiness_item,
        name="readiness_item",
    ),
    path(
        "<int:assessment_id>/items/<int:item_id>/confirm/",
        views.readiness_item_confirm,
        name="readiness_item_confirm",
    ),
]
