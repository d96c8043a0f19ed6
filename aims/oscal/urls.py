from django.urls import path

from . import views

urlpatterns = [
    path("", views.oscal_exports, name="oscal_exports"),
    path("catalog.json", views.oscal_catalog, name="oscal_catalog"),
    path("soa-profile.json", views.oscal_soa_profile, name="oscal_soa_profile"),
    path("soa-components.json", views.oscal_soa_components, name="oscal_soa_components"),
    path(
        "additional-controls.json", views.oscal_additional_catalog, name="oscal_additional_catalog"
    ),
    path("poam.json", views.oscal_poam, name="oscal_poam"),
    path(
        "readiness/<int:readiness_assessment_id>.json",
        views.oscal_readiness_results,
        name="oscal_readiness_results",
    ),
    path("audits/<int:audit_id>.json", views.oscal_audit_results, name="oscal_audit_results"),
]
