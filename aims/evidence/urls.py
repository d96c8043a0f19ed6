from django.urls import path

from . import views

urlpatterns = [
    path("", views.evidence_list, name="evidence_list"),
    path("new/", views.evidence_create, name="evidence_create"),
    path("<int:evidence_id>/", views.evidence_detail, name="evidence_detail"),
    path("<int:evidence_id>/edit/", views.evidence_edit, name="evidence_edit"),
    path(
        "<int:evidence_id>/revisions/new/",
        views.evidence_revision_create,
        name="evidence_revision_create",
    ),
    path(
        "<int:evidence_id>/files/<int:file_id>/download/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
