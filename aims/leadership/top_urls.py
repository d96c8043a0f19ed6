"""The top-management page has a folder of its own, so the sidebar marks it, and not "Roles &
committee", as the current page."""

from django.urls import path

from . import views

urlpatterns = [path("", views.top_management, name="leadership_top_management")]
