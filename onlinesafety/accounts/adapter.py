"""How django-allauth behaves here: no sign-up, emails through the outbox, the client's address from the trusted
proxy, an audit event when an account is locked out, and a second factor that cannot be removed while required."""

import base64
import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from onlinesafety.clientaddress import client_ip
from onlinesafety.mail.services import queue_email

from . import lockout, mfa

# allauth's email templates, by the outbox kind each is stored as.
EMAIL_KINDS = {
    "account/email/password_reset_key": "password_reset",
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email address and password do not match an account. Check them and try "
                                   "again.",
        "account_inactive": "This account is switched off. Ask your school office.",
        "too_many_login_attempts": "This account is locked for a while after too many wrong passwords or codes. "
                                   "Try again later, or ask your school's IT support or the site administrator "
                                   "to unlock it.",
        "rate_limited": "Too many attempts from here in a short time. Wait a minute and try again.",
        "enter_current_password": "Type your current password",
        "incorrect_password": "That is not your current password",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # schools add their people; nobody creates an account for themselves

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request) or "0.0.0.0"

    def get_reset_password_from_key_url(self, key: str) -> str:
        # Links start with the configured address, never with whatever Host header the request carried.
        uidb36, token = key.split("-", 1)
        return settings.SITE_URL + reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Into the outbox, sent by a worker: never inside the request, never lost when the mail server is down."""
        context = {**context, "email": email, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).splitlines()).strip()
        body = render_to_string(f"{template_prefix}_message.txt", context)
        queue_email(to=email, subject=subject, body=body,
                    kind=EMAIL_KINDS.get(template_prefix, "account_security"))

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Per account and network (allauth's own key would start with the request's Host header)."""
        return lockout.account_key(credentials.get("email", ""), request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        self._signing_in_as = credentials.get("email", "")
        if lockout.locked_everywhere(request, self._signing_in_as):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        lockout.count_failure_everywhere(request, credentials.get("email", ""))

    def validation_error(self, code: str, *args: Any) -> ValidationError:
        """A lockout (of an account, after wrong passwords, or wrong codes at sign-in) is an audit event naming
        the account; a network over its own limit is told so, and no account is named."""
        if code == "too_many_login_attempts":
            email = getattr(self, "_signing_in_as", "")
            if email and not lockout.account_locked(context.request, email):
                return super().validation_error("rate_limited", *args)
            lockout.record_lockout(context.request, email)
        return super().validation_error(code, *args)


ENCRYPTED = "fernet:"


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(settings.MFA_SECRET_KEY.encode()).digest()))


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code is not right. Type the 6-digit code your authenticator app shows now, or one "
                          "of your recovery codes.",
        "cannot_delete_authenticator": "Your role needs a second factor: add another one before you remove this.",
    }

    def encrypt(self, text: str) -> str:
        """An authenticator app's key and the recovery codes' seed are stored encrypted (a database dump or a
        backup does not hold anyone's second factor): Fernet, with MFA_SECRET_KEY."""
        return ENCRYPTED + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(ENCRYPTED):
            return encrypted_text  # stored before encryption was turned on
        return _fernet().decrypt(encrypted_text[len(ENCRYPTED):].encode()).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """A person whose role requires a second factor keeps at least one (recovery codes are not one)."""
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        user = authenticator.user
        if not mfa.second_factor_required(user):
            return True
        others = Authenticator.objects.filter(user=user, type__in=mfa.SECOND_FACTOR_TYPES).exclude(
            pk=authenticator.pk)
        return others.exists()
