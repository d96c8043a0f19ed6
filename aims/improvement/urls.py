from django.urls import path

from . import views

urlpatterns = [
    path("", views.improvement_list, name="improvement_list"),
    path("export.csv", views.improvement_export_csv, name="improvement_export_csv"),
    path("new/", views.improvement_create, name="improvement_create"),
    path("suggest/", views.improvement_suggest, name="improvement_suggest"),
    path("<int:improvement_id>/", views.improvement_detail, name="improvement_detail"),
    path("<int:improvement_id>/edit/", views.improvement_edit, name="improvement_edit"),
    path("<int:improvement_id>/status/", views.improvement_move, name="improvement_move"),
    path("<int:improvement_id>/delete/", views.improvement_delete, name="improvement_delete"),
    path("lessons/", views.lesson_learned_list, name="lesson_learned_list"),
    path("lessons/export.csv", views.lesson_learned_export_csv, name="lesson_learned_export_csv"),
    path("lessons/new/", views.lesson_learned_create, name="lesson_learned_create"),
    path("lessons/<int:lesson_id>/", views.lesson_learned_detail, name="lesson_learned_detail"),
    path("lessons/<int:lesson_id>/edit/", views.lesson_learned_edit, name="lesson_learned_edit"),
    path(
        "lessons/<int:lesson_id>/delete/", views.lesson_learned_delete, name="lesson_learned_delete"
    ),
]
