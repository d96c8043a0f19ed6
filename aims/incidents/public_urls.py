"""The public form for concerns, under /public/concerns/ (no account; see concern_views)."""

from django.urls import path

from . import concern_views

urlpatterns = [
    path("<str:token>/", concern_views.public_concern, name="concern_public"),
]
