from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from onlinesafety.accounts.urls import allauth_urlpatterns
from onlinesafety.failed_jobs import failed_jobs_page
from onlinesafety.mail import views as mail_views
from onlinesafety.schools import views as school_views

admin.site.site_header = "Online Safety administration"
admin.site.site_title = "Online Safety admin"
# The admin's own sign-in page asks for the second factor and counts wrong passwords, as the site's does.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", school_views.home, name="home"),
    path("accounts/", include("onlinesafety.accounts.urls")),
    # Single sign-on: the sign-in pages (accounts/sso/...) and the school's and trust's set-up pages.
    path("", include("onlinesafety.sso.urls")),
    # allauth's pages (sign-in, second factor, reset, sessions, the OpenID Connect callback), after the names above.
    path("accounts/", include(allauth_urlpatterns)),
    path("", include("onlinesafety.schools.urls")),
    path("", include("onlinesafety.schools.people.urls")),
    path("", include("onlinesafety.schools.setup.urls")),
    path("", include("onlinesafety.roster.urls")),
    path("", include("incidents.urls")),
    path("", include("policies.urls")),
    path("", include("filtering.urls")),
    path("", include("aup.urls")),
    path("", include("monitoring.urls")),
    path("", include("governors.urls")),
    path("alerts/", mail_views.alerts, name="alerts"),
    path("alerts/<int:notification_id>/", mail_views.open_alert, name="open_alert"),
    path("site/failed-jobs/", failed_jobs_page, name="failed_jobs"),
    path("admin/", admin.site.urls),
    # The development mailbox answers 404 unless DEBUG is on.
    path("dev/mail/", include("onlinesafety.mail.urls")),
]
