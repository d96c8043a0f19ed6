from django.urls import path

from . import views

urlpatterns = [
    path("", views.dataset_list, name="dataset_list"),
    path("export.csv", views.dataset_export_csv, name="dataset_export_csv"),
    path("new/", views.dataset_create, name="dataset_create"),
    path("<int:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("<int:dataset_id>/edit/", views.dataset_edit, name="dataset_edit"),
    path("<int:dataset_id>/delete/", views.dataset_delete, name="dataset_delete"),
    path("<int:dataset_id>/uses/", views.dataset_use_add, name="dataset_use_add"),
    path(
        "<int:dataset_id>/uses/<int:use_id>/remove/",
        views.dataset_use_remove,
        name="dataset_use_remove",
    ),
    path(
        "<int:dataset_id>/quality-checks/",
        views.dataset_quality_checks,
        name="dataset_quality_checks",
    ),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/export.csv", views.resource_export_csv, name="resource_export_csv"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:resource_id>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:resource_id>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:resource_id>/delete/", views.resource_delete, name="resource_delete"),
]
