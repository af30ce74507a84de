"""Single sign-on in the Django admin: the configurations to look at, never the secret, nothing to change there;
allauth's own tables are not in the admin."""

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.urls import reverse

from onlinesafety.audit.admin import AuditedModelAdmin
from onlinesafety.sso.models import IdentityProvider
from tests.factories import UserFactory
from tests.sso.helpers import SECRET

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    person = UserFactory(email="root@site.example", is_staff=True, is_superuser=True)
    client.force_login(person)
    return person


def test_it_shows_a_configuration_read_only_and_without_its_secret(client, superuser, configure, oakfield):
    idp = configure(oakfield, actor=superuser)
    page = client.get(reverse("admin:sso_identityprovider_change", args=[idp.pk]))
    assert page.status_code == 200
    assert SECRET not in page.content.decode() and SECRET[-6:] not in page.content.decode()
    assert client.post(reverse("admin:sso_identityprovider_change", args=[idp.pk]), {}).status_code == 403
    assert client.get(reverse("admin:sso_identityprovider_delete", args=[idp.pk])).status_code == 403
    assert client.get(reverse("admin:sso_identityprovider_add")).status_code == 403
    assert isinstance(admin.site._registry[IdentityProvider], AuditedModelAdmin)


def test_it_keeps_allauth_s_tables_out_of_the_admin():
    assert not {SocialApp, SocialAccount, SocialToken} & set(admin.site._registry)
