from django.urls import path

from . import views
from .signoff import views as signoff_views

urlpatterns = [
    path("", views.risk_list, name="risk_list"),
    path("export.csv", views.risk_export_csv, name="risk_export_csv"),
    path("new/", views.risk_create, name="risk_create"),
    path("matrix/", views.risk_matrix, name="risk_matrix"),
    path("matrix/edit/", views.risk_matrix_edit, name="risk_matrix_edit"),
    path("<int:risk_id>/", views.risk_detail, name="risk_detail"),
    path("<int:risk_id>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:risk_id>/accept/", views.risk_accept, name="risk_accept"),
    path("<int:risk_id>/plan/approve/", views.risk_plan_approve, name="risk_plan_approve"),
    path("<int:risk_id>/plan/propose/", views.risk_plan_propose, name="risk_plan_propose"),
    path("<int:risk_id>/delete/", views.risk_delete, name="risk_delete"),
    path("systems/<int:system_id>/sign-off/", signoff_views.system_signoff, name="risk_signoff"),
]
