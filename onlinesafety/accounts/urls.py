from allauth import urls as allauth_urls
from allauth.account import views as allauth_views
from django.urls import URLPattern, URLResolver, path, register_converter

from . import views

app_name = "accounts"


class Base36Converter:
    """allauth's account id in a reset link (``uidb36``): digits and letters, no hyphen."""

    regex = "[0-9A-Za-z]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Base36Converter, "base36")

# Sign-in, sign-out and passwords are django-allauth's pages (included after these in onlinesafety/urls.py); the
# names here keep the project's own ``accounts:`` names for them, and close the allauth pages not offered.
urlpatterns = [
    path("login/", allauth_views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("password/reset/", allauth_views.password_reset, name="password_reset"),
    path("password/change/", allauth_views.password_change, name="password_change"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("sessions/", views.sessions, name="sessions"),
    path("signup/", views.not_offered, name="signup_not_offered"),
    path("email/", views.not_offered, name="email_not_offered"),
    path("password/set/", views.not_offered, name="password_set_not_offered"),
    path("login/code/confirm/", views.not_offered, name="login_code_not_offered"),
    path("confirm-email/", views.not_offered, name="confirm_email_not_offered"),
    path("3rdparty/", views.not_offered, name="connections_not_offered"),  # single sign-on is set up by the school
    # Before the emailed address, which would take "set-password" for a token.
    path("invitation/set-password/", views.invitation_set_password, name="invitation_set_password"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
]


# allauth's regular-expression routes the product replaces (the reset link, as a path() route whose token the log
# scrubber masks) or does not offer (email confirmation): left out, so no address reaches them.
LEFT_OUT = frozenset({"account_reset_password_from_key", "account_confirm_email"})


def _without_left_out(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    kept: list[URLPattern | URLResolver] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            kept.append(URLResolver(entry.pattern, _without_left_out(entry.url_patterns), entry.default_kwargs,
                                    entry.app_name, entry.namespace))
        elif entry.name not in LEFT_OUT:
            kept.append(entry)
    return kept


allauth_urlpatterns = [
    # The reset link as a path() route, so the log scrubber finds and masks both its secrets.
    path("password/reset/key/<base36:uidb36>-<str:key>/", allauth_views.password_reset_from_key,
         name="account_reset_password_from_key"),
    *_without_left_out(allauth_urls.urlpatterns),
]
