"""What the single sign-on tests share: the fake tenant, clients and secret, the identities the fake provider
signs in, and the round trip through it."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from onlinesafety.sso.models import IdentityProvider

TENANT = "0b5c2d1e-7a9f-4c3b-8e21-5d6f7a8b9c0d"
OTHER_TENANT = "9f8e7d6c-5b4a-4321-8fed-cba987654321"
MICROSOFT_CLIENT = "11111111-2222-4333-8444-555555555555"
GOOGLE_CLIENT = "123456789012-fakeclient.apps.googleusercontent.com"
SECRET = "fake-client-secret-0123456789abcdef"
DOMAIN = "oakfield.sch.uk"
MICROSOFT = IdentityProvider.Kind.MICROSOFT
GOOGLE = IdentityProvider.Kind.GOOGLE


def microsoft_identity(email, tenant=TENANT, **claims):
    """What Entra ID puts in the ID token of a member of ``tenant`` whose sign-in name is their address."""
    return {"tid": tenant, "email": email, "preferred_username": email, "name": "Fake Person", **claims}


def google_identity(email, hd=DOMAIN, **claims):
    return {"email": email, "email_verified": True, "hd": hd, "name": "Fake Person", **claims}


def back_from_provider(client, fake, response):
    """``response`` sent the browser to the fake provider: go there, and bring the browser back to the callback."""
    assert response.status_code == 302, response
    assert response.url.startswith(fake.url), response.url
    back = urlsplit(fake.follow(response.url))
    return client.get(f"{back.path}?{back.query}")


def sign_in_through(client, fake, idp, next_url=""):
    """The whole round trip, started from allauth's sign-in address for the configuration."""
    data = {"next": next_url} if next_url else {}
    started = client.post(reverse("openid_connect_login", kwargs={"provider_id": idp.provider_id}), data)
    return back_from_provider(client, fake, started)


def query_of(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}
