from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from onlinesafety.audit.services import record_event


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    record_event(verb="auth.login", actor=user, target=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_event(verb="auth.logout", actor=user, target=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted address is not stored: it may be a mistyped password or someone else's name.
    record_event(verb="auth.login_failed", request=request)
