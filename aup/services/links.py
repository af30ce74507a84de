"""Signing links: the address a token opens (tokens themselves: ``onlinesafety.tokens``)."""

from django.urls import reverse

from onlinesafety.mail.services import absolute_url


def signing_url(token: str) -> str:
    return absolute_url(reverse("aup:sign", args=[token]))
