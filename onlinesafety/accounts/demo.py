"""The demo's second factors. Every demo account whose role needs one has an authenticator app with the same
published demo key (so a newcomer can sign in at once: add the key to any authenticator app, or print today's
code with ``manage.py demo_code``), except Oakfield's headteacher, who is guided through setting one up at the
first sign-in. Demo only: ``seed_demo`` refuses to run in production."""

from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from . import mfa
from .models import User

# A demo key, published in README.md: never one a real account could have (seed_demo does not run in production).
DEMO_TOTP_KEY = "ONLINESAFETYDEMOKEYFOROAKFIELDXX"
LEFT_TO_SET_UP = frozenset({"head@oakfield.example"})


@transaction.atomic
def seed() -> dict[str, int]:
    given = 0
    for user in User.objects.filter(email__endswith=".example").order_by("pk"):
        if user.email in LEFT_TO_SET_UP or not user.has_usable_password():
            continue
        if mfa.second_factor_required(user) and not mfa.has_second_factor(user):
            TOTP.activate(user, DEMO_TOTP_KEY)
            given += 1
    return {"authenticator apps": given} if given else {}


def announce() -> list[str]:
    return [f"Second factor: the DSL, Online Safety Lead, chair, Riverside's leads, the trust and site administrators "
            f"sign in with an authenticator app holding the demo key {DEMO_TOTP_KEY} (or run "
            "'python manage.py demo_code' for the current code); head@oakfield.example sets one up at first sign-in."]
