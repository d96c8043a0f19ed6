from django.urls import path

from . import views

urlpatterns = [
    path("", views.matrix_page, name="competence_matrix"),
    path("matrix.csv", views.matrix_csv, name="competence_matrix_csv"),
    path("competences/", views.competence_list, name="competence_list"),
    path("competences/export.csv", views.competence_export_csv, name="competence_export_csv"),
    path("competences/new/", views.competence_create, name="competence_create"),
    path("competences/<int:competence_id>/", views.competence_detail, name="competence_detail"),
    path("competences/<int:competence_id>/edit/", views.competence_edit, name="competence_edit"),
    path(
        "competences/<int:competence_id>/delete/",
        views.competence_delete,
        name="competence_delete",
    ),
    path("courses/", views.course_list, name="course_list"),
    path("courses/export.csv", views.course_export_csv, name="course_export_csv"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:course_id>/", views.course_detail, name="course_detail"),
    path("courses/<int:course_id>/edit/", views.course_edit, name="course_edit"),
    path("courses/<int:course_id>/delete/", views.course_delete, name="course_delete"),
    path("training/", views.training_list, name="training_list"),
    path("training/export.csv", views.training_export_csv, name="training_export_csv"),
    path("training/new/", views.training_create, name="training_create"),
    path("training/import/", views.training_import, name="training_import"),
    path("training/<int:training_id>/", views.training_detail, name="training_detail"),
    path("training/<int:training_id>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:training_id>/delete/", views.training_delete, name="training_delete"),
]
