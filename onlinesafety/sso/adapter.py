"""allauth's social account adapter for this site: the apps come from the schools' and trusts' configurations, and
an identity signs in only to the existing account its verified address names, when that account is switched on and
holds a current role where the configuration belongs. Nobody signs up; allauth never links accounts by itself."""

from typing import Any, NoReturn

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.http import HttpRequest

from onlinesafety.accounts.models import User
from onlinesafety.rules import RuleBroken

from . import oidc, selectors, services
from .claims import Refusal, checked_email
from .models import IdentityProvider
from .pages import sign_in_page


def _provider_id_of(provider: Any) -> str:
    app = getattr(provider, "app", None)
    return str(getattr(app, "provider_id", "") or getattr(provider, "id", "") or "")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    # ------------------------------------------------------------ the apps: one per enabled configuration

    def list_apps(self, request: HttpRequest | None, provider: str | None = None,
                  client_id: str | None = None) -> list[SocialApp]:
        """Only the configurations (never allauth's SocialApp table or settings): all of them for the provider
        ``openid_connect``, else the one whose provider id is ``provider``."""
        if provider in (None, oidc.PROVIDER):
            found = selectors.enabled_identity_providers()
        else:
            one = selectors.identity_provider_for(provider or "")
            found = [one] if one is not None and one.enabled else []
        return [oidc.social_app(idp) for idp in found if client_id is None or idp.client_id == client_id]

    # ------------------------------------------------------------ nobody signs up, nothing is linked by address

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def authenticate_by_email(self, sociallogin: SocialLogin) -> None:
        return None  # the address is matched in pre_social_login, after the tenant and domain checks

    # ------------------------------------------------------------ the identity provider said yes: do we?

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider_id = sociallogin.account.provider
        idp = selectors.identity_provider_for(provider_id)
        if idp is None or not idp.enabled:
            self._refuse(request, provider_id, idp, Refusal.CONFIGURATION_OFF)
        assert idp is not None
        if sociallogin.state.get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            self._refuse(request, provider_id, idp, Refusal.NOT_SIGN_IN)  # no connecting to a signed-in account
        claims = (sociallogin.account.extra_data or {}).get("id_token") or {}
        email, refusal = checked_email(idp, claims, selectors.domains_of(idp))
        if refusal is not None:
            self._refuse(request, provider_id, idp, refusal, email=email)
        user = selectors.account_with_email(email)
        if user is None:
            self._refuse(request, provider_id, idp, Refusal.UNKNOWN_EMAIL, email=email)
        assert user is not None
        if not user.is_active:
            self._refuse(request, provider_id, idp, Refusal.SWITCHED_OFF, user=user, email=email)
        if not selectors.may_sign_in_through(user, idp):
            self._refuse(request, provider_id, idp, Refusal.NO_ROLE, user=user, email=email)
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:  # the identity was connected to someone whose address was changed
                self._refuse(request, provider_id, idp, Refusal.OTHER_ACCOUNT, user=user, email=email)
            return
        try:
            sociallogin.account = services.connect_identity(user=user, identity_provider=idp,
                                                            account=sociallogin.account, request=request)
        except RuleBroken:
            self._refuse(request, provider_id, idp, Refusal.OTHER_ACCOUNT, user=user, email=email)
        sociallogin.user = user

    def _refuse(self, request: HttpRequest, provider_id: str, idp: IdentityProvider | None, reason: Refusal, *,
                user: User | None = None, email: str = "") -> NoReturn:
        services.record_refusal(provider_id=provider_id, identity_provider=idp, reason=reason, user=user,
                                request=request)
        raise ImmediateHttpResponse(sign_in_page(request, "sso/refused.html", {
            "reason": reason.value, "email": email, "identity_provider": idp,
            "owner": idp.owner if idp is not None else None,
        }, status=403))

    # ------------------------------------------------------------ the exchange itself failed

    def on_authentication_error(self, request: HttpRequest, provider: Any, error: Any = None,
                                exception: BaseException | None = None,
                                extra_context: dict[str, Any] | None = None) -> None:
        provider_id = _provider_id_of(provider)
        idp = selectors.identity_provider_for(provider_id)
        services.record_failure(provider_id=provider_id, identity_provider=idp, error=str(error or AuthError.UNKNOWN),
                                exception=type(exception).__name__ if exception is not None else "", request=request)
        cancelled = error == AuthError.CANCELLED
        raise ImmediateHttpResponse(sign_in_page(request, "sso/failed.html", {
            "cancelled": cancelled, "identity_provider": idp}, status=200 if cancelled else 400))
