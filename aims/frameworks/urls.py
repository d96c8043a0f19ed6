from django.urls import path

from . import views

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("import/csv/", views.framework_import_csv, name="framework_import_csv"),
    path("import/oscal/", views.framework_import_oscal, name="framework_import_oscal"),
    path("<str:framework_slug>/", views.framework_coverage, name="framework_coverage"),
    path(
        "<str:framework_slug>/coverage.csv",
        views.framework_coverage_csv,
        name="framework_coverage_csv",
    ),
    path("<str:framework_slug>/records/", views.framework_records, name="framework_records"),
    path("<str:framework_slug>/standard/", views.framework_standard, name="framework_standard"),
    path("<str:framework_slug>/delete/", views.framework_delete, name="framework_delete"),
]
