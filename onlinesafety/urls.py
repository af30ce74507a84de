from django.contrib import admin
from django.urls import include, path

from onlinesafety.mail import views as mail_views
from onlinesafety.schools import views as school_views

admin.site.site_header = "Online Safety administration"
admin.site.site_title = "Online Safety admin"

urlpatterns = [
    path("", school_views.home, name="home"),
    path("accounts/", include("onlinesafety.accounts.urls")),
    # Single sign-on: the sign-in pages (accounts/sso/...) and the school's and trust's set-up pages.
    path("", include("onlinesafety.sso.urls")),
    # allauth: here for its OpenID Connect sign-in and callback (accounts/oidc/<provider_id>/login/...); after the
    # accounts app's own pages, which it would otherwise shadow until those move to allauth.
    path("accounts/", include("allauth.urls")),
    path("", include("onlinesafety.schools.urls")),
    path("", include("onlinesafety.schools.people.urls")),
    path("", include("onlinesafety.schools.setup.urls")),
    path("", include("onlinesafety.roster.urls")),
    path("", include("incidents.urls")),
    path("", include("policies.urls")),
    path("", include("filtering.urls")),
    path("", include("aup.urls")),
    path("", include("governors.urls")),
    path("alerts/", mail_views.alerts, name="alerts"),
    path("admin/", admin.site.urls),
    # The development mailbox answers 404 unless DEBUG is on.
    path("dev/mail/", include("onlinesafety.mail.urls")),
]
