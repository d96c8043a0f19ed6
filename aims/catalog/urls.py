from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog_index, name="catalog_index"),
    path("clauses/<str:ref>/", views.catalog_clause, name="catalog_clause"),
    path("controls/<str:ref>/", views.catalog_control, name="catalog_control"),
]
