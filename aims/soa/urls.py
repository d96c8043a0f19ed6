from django.urls import path

from . import views

urlpatterns = [
    path("", views.soa_list, name="soa_list"),
    path("export.xlsx", views.soa_export_xlsx, name="soa_export_xlsx"),
    path("export.csv", views.soa_export_csv, name="soa_export_csv"),
    path(
        "export-document-control.csv",
        views.soa_export_control_csv,
        name="soa_export_control_csv",
    ),
    path("controls/new/", views.soa_additional_create, name="soa_additional_create"),
    path("<int:entry_id>/", views.soa_detail, name="soa_detail"),
    path("<int:entry_id>/edit/", views.soa_edit, name="soa_edit"),
    path("<int:entry_id>/control/", views.soa_additional_edit, name="soa_additional_edit"),
    path("<int:entry_id>/remove/", views.soa_additional_remove, name="soa_additional_remove"),
]
