from django.urls import path

from aims.core.access import org_view
from aims.core.views import under_construction

urlpatterns = [
    path("", org_view()(under_construction), name="catalog_index"),
]
