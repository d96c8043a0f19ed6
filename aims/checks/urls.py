from django.urls import path

from . import views

urlpatterns = [
    path("", views.check_list, name="check_list"),
    path("new/", views.check_create, name="check_create"),
    path("columns/", views.check_columns, name="check_columns"),
    path("<int:check_id>/", views.check_detail, name="check_detail"),
    path("<int:check_id>/edit/", views.check_edit, name="check_edit"),
    path("<int:check_id>/run/", views.check_run, name="check_run"),
    path("<int:check_id>/runs.csv", views.check_runs_export, name="check_runs_export"),
    path("<int:check_id>/runs/<uuid:task_id>/", views.check_task, name="check_task"),
    path("<int:check_id>/delete/", views.check_delete, name="check_delete"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:alert_id>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("samples/<slug:name>.parquet", views.check_sample, name="check_sample"),
]
