from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan_list, name="communication_plan_list"),
    path("export.csv", views.plan_export_csv, name="communication_plan_export_csv"),
    path("new/", views.plan_create, name="communication_plan_create"),
    path("<int:plan_entry_id>/", views.plan_detail, name="communication_plan_detail"),
    path("<int:plan_entry_id>/edit/", views.plan_edit, name="communication_plan_edit"),
    path("<int:plan_entry_id>/delete/", views.plan_delete, name="communication_plan_delete"),
    path("log/", views.log_list, name="communication_log_list"),
    path("log/export.csv", views.log_export_csv, name="communication_log_export_csv"),
    path("log/new/", views.log_create, name="communication_log_create"),
    path("log/<int:communication_id>/", views.log_detail, name="communication_detail"),
    path("log/<int:communication_id>/edit/", views.log_edit, name="communication_edit"),
    path("log/<int:communication_id>/delete/", views.log_delete, name="communication_delete"),
]
