from django.urls import path

from . import views

urlpatterns = [
    path("", views.objective_list, name="objective_list"),
    path("export.csv", views.objective_export_csv, name="objective_export_csv"),
    path("new/", views.objective_create, name="objective_create"),
    path("<int:objective_id>/", views.objective_detail, name="objective_detail"),
    path("<int:objective_id>/edit/", views.objective_edit, name="objective_edit"),
    path("<int:objective_id>/delete/", views.objective_delete, name="objective_delete"),
    path("kpis/", views.kpi_list, name="kpi_list"),
    path("kpis/export.csv", views.kpi_export_csv, name="kpi_export_csv"),
    path("kpis/new/", views.kpi_create, name="kpi_create"),
    path("kpis/import/", views.kpi_import, name="kpi_import"),
    path("kpis/<int:kpi_id>/", views.kpi_detail, name="kpi_detail"),
    path("kpis/<int:kpi_id>/edit/", views.kpi_edit, name="kpi_edit"),
    path("kpis/<int:kpi_id>/delete/", views.kpi_delete, name="kpi_delete"),
    path("kpis/<int:kpi_id>/measurements/", views.kpi_measure, name="kpi_measure"),
    path("kpis/<int:kpi_id>/measure-now/", views.kpi_measure_now, name="kpi_measure_now"),
    path(
        "kpis/<int:kpi_id>/measurements/<int:measurement_id>/delete/",
        views.measurement_delete,
        name="measurement_delete",
    ),
]
