from django.urls import path

from . import views

urlpatterns = [
    path("", views.package_list, name="package_list"),
    path("build/", views.package_build, name="package_build"),
    path("public-key.pem", views.package_public_key, name="package_public_key"),
    path("<int:package_id>/progress/", views.package_progress, name="package_progress"),
    path("<int:package_id>/download/", views.package_download, name="package_download"),
]
