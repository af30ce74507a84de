"""After a sign-in: the audit event of a sign-in through a configuration, the session's note that the identity
provider asked for the second factor, and the school it was made through as the current school."""

import time
from typing import Any

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.socialaccount.models import SocialLogin
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from onlinesafety.accounts.models import User
from onlinesafety.schools.middleware import SESSION_KEY as CURRENT_SCHOOL_SESSION_KEY

from . import selectors, services
from .constants import MFA_BY_IDENTITY_PROVIDER_SESSION_KEY


@receiver(user_logged_in)
def forget_the_identity_provider_s_factor(sender: type[User], request: HttpRequest | None, user: User,
                                          **kwargs: Any) -> None:
    """Every sign-in starts without it (Django keeps a session's data when the same person signs in again, by
    password say); only a sign-in through a configuration that enforces a second factor sets it again, below."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_BY_IDENTITY_PROVIDER_SESSION_KEY, None)


@receiver(allauth_user_logged_in)
def note_a_sign_in_through_an_identity_provider(sender: type[User], request: HttpRequest, user: User,
                                                sociallogin: SocialLogin | None = None, **kwargs: Any) -> None:
    if sociallogin is None:
        return
    idp = selectors.identity_provider_for(sociallogin.account.provider)
    if idp is None:  # removed while this person was signing in: refused before now, so not expected
        return
    if idp.enforces_mfa:
        request.session[MFA_BY_IDENTITY_PROVIDER_SESSION_KEY] = time.time()
    if idp.school_id is not None:
        request.session[CURRENT_SCHOOL_SESSION_KEY] = idp.school_id
    services.record_sign_in(user=user, identity_provider=idp, mfa_by_identity_provider=idp.enforces_mfa,
                            request=request)
