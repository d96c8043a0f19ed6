from django.urls import path

from .views import issues, obligations, overview, parties, roles, scope

urlpatterns = [
    path("", overview.context_overview, name="context_overview"),
    # Issues (4.1)
    path("issues/", issues.issue_list, name="issue_list"),
    path("issues/export.csv", issues.issue_export_csv, name="issue_export_csv"),
    path("issues/new/", issues.issue_create, name="issue_create"),
    path("issues/<int:issue_id>/", issues.issue_detail, name="issue_detail"),
    path("issues/<int:issue_id>/edit/", issues.issue_edit, name="issue_edit"),
    path("issues/<int:issue_id>/delete/", issues.issue_delete, name="issue_delete"),
    path("issues/<int:issue_id>/raise-risk/", issues.issue_raise_risk, name="issue_raise_risk"),
    # Interested parties (4.2)
    path("parties/", parties.party_list, name="party_list"),
    path("parties/export.csv", parties.party_export_csv, name="party_export_csv"),
    path("parties/new/", parties.party_create, name="party_create"),
    path("parties/<int:party_id>/", parties.party_detail, name="party_detail"),
    path("parties/<int:party_id>/edit/", parties.party_edit, name="party_edit"),
    path("parties/<int:party_id>/delete/", parties.party_delete, name="party_delete"),
    # Scope (4.3)
    path("scope/", scope.scope_list, name="scope_list"),
    path("scope/export.csv", scope.scope_export_csv, name="scope_export_csv"),
    path("scope/new/", scope.scope_create, name="scope_create"),
    path("scope/<int:scope_version_id>/", scope.scope_detail, name="scope_detail"),
    path("scope/<int:scope_version_id>/edit/", scope.scope_edit, name="scope_edit"),
    path("scope/<int:scope_version_id>/approve/", scope.scope_approve, name="scope_approve"),
    # Roles per AI system
    path("roles/", roles.role_list, name="role_list"),
    path("roles/export.csv", roles.role_export_csv, name="role_export_csv"),
    path("roles/new/", roles.role_create, name="role_create"),
    path("roles/<int:system_role_id>/", roles.role_detail, name="role_detail"),
    path("roles/<int:system_role_id>/edit/", roles.role_edit, name="role_edit"),
    # Obligations (A.8.5, 4.2)
    path("obligations/", obligations.obligation_list, name="obligation_list"),
    path("obligations/export.csv", obligations.obligation_export_csv, name="obligation_export_csv"),
    path("obligations/new/", obligations.obligation_create, name="obligation_create"),
    path(
        "obligations/add-from-catalogue/",
        obligations.obligation_catalogue,
        name="obligation_catalogue",
    ),
    path(
        "obligations/<int:obligation_id>/",
        obligations.obligation_detail,
        name="obligation_detail",
    ),
    path(
        "obligations/<int:obligation_id>/edit/",
        obligations.obligation_edit,
        name="obligation_edit",
    ),
    path(
        "obligations/<int:obligation_id>/delete/",
        obligations.obligation_delete,
        name="obligation_delete",
    ),
]
