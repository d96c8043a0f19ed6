from django.urls import path

from . import views

urlpatterns = [
    path("", views.search_page, name="search"),
    path("box/", views.search_box, name="search_box"),
]
