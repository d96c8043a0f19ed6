from django.urls import path

from . import views

urlpatterns = [
    path("", views.third_party_list, name="third_party_list"),
    path("export.csv", views.third_party_export_csv, name="third_party_export_csv"),
    path("new/", views.third_party_create, name="third_party_create"),
    path("<int:third_party_id>/", views.third_party_detail, name="third_party_detail"),
    path("<int:third_party_id>/edit/", views.third_party_edit, name="third_party_edit"),
    path("<int:third_party_id>/delete/", views.third_party_delete, name="third_party_delete"),
    path("<int:third_party_id>/end/", views.third_party_end, name="third_party_end"),
    path(
        "<int:third_party_id>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
]
