from django.urls import path

from . import views

urlpatterns = [
    path("", views.reminder_list, name="reminder_list"),
    path("export.csv", views.reminder_export_csv, name="reminder_export_csv"),
    path("settings/", views.reminder_settings, name="reminder_settings"),
]
