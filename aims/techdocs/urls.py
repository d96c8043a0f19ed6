from django.urls import path

from . import views

urlpatterns = [
    path("", views.techdoc_list, name="techdoc_list"),
    path("export.csv", views.techdoc_export_csv, name="techdoc_export_csv"),
    path("new/", views.techdoc_create, name="techdoc_create"),
    path("<int:doc_id>/", views.techdoc_detail, name="techdoc_detail"),
    path("<int:doc_id>/edit/", views.techdoc_edit, name="techdoc_edit"),
    path("<int:doc_id>/submit/", views.techdoc_submit, name="techdoc_submit"),
    path("<int:doc_id>/approve/", views.techdoc_approve, name="techdoc_approve"),
    path("<int:doc_id>/send-back/", views.techdoc_send_back, name="techdoc_send_back"),
    path("<int:doc_id>/new-version/", views.techdoc_new_version, name="techdoc_new_version"),
    path("<int:doc_id>/delete/", views.techdoc_delete, name="techdoc_delete"),
]
