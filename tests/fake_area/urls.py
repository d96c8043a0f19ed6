from django.urls import path

from . import views

urlpatterns = [
    path("", views.lesson_list, name="lesson_list"),
    path("new/", views.lesson_add, name="lesson_add"),
]
