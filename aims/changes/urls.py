from django.urls import path

from . import views

urlpatterns = [
    path("", views.change_list, name="change_list"),
    path("export.csv", views.change_export_csv, name="change_export_csv"),
    path("new/", views.change_create, name="change_create"),
    path("<int:change_id>/", views.change_detail, name="change_detail"),
    path("<int:change_id>/edit/", views.change_edit, name="change_edit"),
    path("<int:change_id>/approve/", views.change_approve, name="change_approve"),
    path("<int:change_id>/reject/", views.change_reject, name="change_reject"),
    path("<int:change_id>/withdraw/", views.change_withdraw, name="change_withdraw"),
    path("<int:change_id>/implement/", views.change_implement, name="change_implement"),
]
