"""The public form for concerns, under /public/concerns/ (no account; see concern_views). The
token is URL-safe base64, so a slug: anything else (a null character, say) matches no page."""

from django.urls import path

from . import concern_views

urlpatterns = [
    path("<slug:token>/", concern_views.public_concern, name="concern_public"),
]
