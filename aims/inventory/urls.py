from django.urls import path

from . import views

urlpatterns = [
    path("", views.system_list, name="system_list"),
    path("export.csv", views.system_export, name="system_export"),
    path("new/", views.system_create, name="system_create"),
    path("<int:system_id>/", views.system_detail, name="system_detail"),
    path("<int:system_id>/edit/", views.system_edit, name="system_edit"),
    path("<int:system_id>/transition/", views.system_transition, name="system_transition"),
    path("<int:system_id>/delete/", views.system_delete, name="system_delete"),
]
