from django.urls import path

from . import views

V = "<int:document_id>/versions/<int:version_number>/"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("export.csv", views.document_export_csv, name="document_export_csv"),
    path("to-read/", views.document_to_read, name="document_to_read"),
    path("new/", views.document_create, name="document_create"),
    path("templates/", views.document_from_template, name="document_from_template"),
    path("<int:document_id>/", views.document_detail, name="document_detail"),
    path("<int:document_id>/edit/", views.document_edit, name="document_edit"),
    path("<int:document_id>/write/", views.document_write, name="document_write"),
    path("<int:document_id>/preview/", views.document_preview, name="document_preview"),
    path("<int:document_id>/compare/", views.document_compare, name="document_compare"),
    path("<int:document_id>/acknowledge/", views.document_acknowledge, name="document_acknowledge"),
    path("<int:document_id>/review/", views.document_review, name="document_review"),
    path("<int:document_id>/retire/", views.document_retire, name="document_retire"),
    path(V, views.document_version, name="document_version"),
    path(V + "file/", views.document_version_file, name="document_version_file"),
    path(V + "submit/", views.document_submit, name="document_submit"),
    path(V + "approve/", views.document_approve, name="document_approve"),
    path(V + "refuse/", views.document_refuse, name="document_refuse"),
]
