from django.contrib.auth import views as auth_views
from django.urls import include, path

from aims.accounts import views as account_views
from aims.api.urls import api
from aims.core.areas import areas
from aims.organizations import site
from aims.organizations import views as organization_views

# Each area's pages under /o/<org>/<its folder>/, as its area.py registered them.
org_patterns = [path(area.prefix, include(area.urls)) for area in areas() if area.urls]
# Pages without sign-in an area offers (see Area.public_urls), under /public/<its folder>/.
public_patterns = [
    path(area.public_prefix, include(area.public_urls)) for area in areas() if area.public_urls
]

urlpatterns = [
    path("", site.home, name="home"),
    path("login/", account_views.SignInView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/password/done/"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("account/security/", include("aims.accounts.urls")),
    path("organizations/", site.organization_list, name="organization_list"),
    path("organizations/new/", site.organization_create, name="organization_create"),
    path("invitations/<str:token>/", organization_views.invitation, name="invitation"),
    path("o/<slug:org>/", include(org_patterns)),
    path("public/", include(public_patterns)),
    path("api/v1/", api.urls),
]

handler400 = "aims.core.limits.bad_request"  # a body too large to read: the 413 page
handler403 = "aims.core.views.permission_denied"
handler404 = "aims.core.views.page_not_found"
