from django.urls import path

from . import views

urlpatterns = [
    path("", views.review_list, name="review_list"),
    path("export.csv", views.review_export_csv, name="review_export_csv"),
    path("new/", views.review_create, name="review_create"),
    path("actions/", views.action_list, name="review_action_list"),
    path("actions/export.csv", views.action_export_csv, name="review_action_export_csv"),
    path("actions/<int:review_action_id>/edit/", views.action_edit, name="review_action_edit"),
    path(
        "decisions/<int:review_decision_id>/edit/",
        views.decision_edit,
        name="review_decision_edit",
    ),
    path(
        "decisions/<int:review_decision_id>/nonconformity/",
        views.decision_nonconformity,
        name="review_decision_nonconformity",
    ),
    path(
        "decisions/<int:review_decision_id>/improvement/",
        views.decision_improvement,
        name="review_decision_improvement",
    ),
    path("<int:review_id>/", views.review_detail, name="review_detail"),
    path("<int:review_id>/edit/", views.review_edit, name="review_edit"),
    path("<int:review_id>/delete/", views.review_delete, name="review_delete"),
    path("<int:review_id>/hold/", views.review_hold, name="review_hold"),
    path("<int:review_id>/approve/", views.review_approve, name="review_approve"),
    path("<int:review_id>/decisions/", views.decision_create, name="review_decision_create"),
    path("<int:review_id>/actions/", views.action_create, name="review_action_create"),
    path("<int:review_id>/report/", views.review_report, name="review_report"),
    path("<int:review_id>/report.pdf", views.review_report_pdf, name="review_report_pdf"),
]
