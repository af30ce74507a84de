"""A school's or a trust's "Sign in with Microsoft" or "Sign in with Google": its app registration there, the
tenant or Workspace domains it admits, and whether that identity provider asks for a second factor itself."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from onlinesafety.schools.models import Organisation, School


class IdentityProvider(models.Model):
    """One configuration, owned by a school or by a trust (or local authority), never both.

    The client secret is stored as the provider issued it (allauth sends it to the provider's token endpoint); it is
    never shown back in full, never put in an audit event and never logged.
    """

    class Kind(models.TextChoices):
        MICROSOFT = "microsoft", "Microsoft Entra ID"
        GOOGLE = "google", "Google Workspace"

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="identity_providers")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="identity_providers")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    client_id = models.CharField("client id", max_length=191)
    client_secret = models.CharField("client secret", max_length=400)
    tenant_id = models.CharField("Microsoft tenant id", max_length=36, blank=True,
                                 help_text="The Directory (tenant) ID, a GUID. Microsoft only.")
    enforces_mfa = models.BooleanField("our identity provider requires a second factor", default=False)
    enforces_mfa_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                 on_delete=models.SET_NULL, related_name="+")
    enforces_mfa_recorded_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField("staff may sign in this way", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["school_id", "organisation_id", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(school__isnull=False, organisation__isnull=True)
                                   | Q(school__isnull=True, organisation__isnull=False),
                                   name="sso_identityprovider_one_owner"),
            models.UniqueConstraint(fields=["school", "kind"], condition=Q(school__isnull=False),
                                    name="sso_identityprovider_one_kind_per_school"),
            models.UniqueConstraint(fields=["organisation", "kind"], condition=Q(organisation__isnull=False),
                                    name="sso_identityprovider_one_kind_per_organisation"),
            models.CheckConstraint(condition=Q(kind__in=["microsoft", "google"]), name="sso_identityprovider_kind"),
            models.CheckConstraint(condition=Q(kind="google") | ~Q(tenant_id=""),
                                   name="sso_identityprovider_microsoft_has_tenant"),
            models.CheckConstraint(condition=Q(enforces_mfa=False) | Q(enforces_mfa_recorded_at__isnull=False),
                                   name="sso_identityprovider_mfa_recorded"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sign-in {self.pk}"

    @property
    def owner(self) -> School | Organisation:
        owner = self.school or self.organisation
        assert owner is not None, "a database constraint gives every configuration one owner"
        return owner

    @property
    def provider_id(self) -> str:
        """allauth's name for this configuration, in its sign-in and callback addresses (the redirect URI the school
        registers): known before the configuration is saved, from its owner and kind."""
        return provider_id_for(self.owner, self.Kind(self.kind))

    @property
    def secret_hint(self) -> str:
        """The last characters of the secret, enough to tell which one is saved."""
        return f"…{self.client_secret[-4:]}" if len(self.client_secret) >= 12 else "…"


def provider_id_for(owner: School | Organisation, kind: IdentityProvider.Kind) -> str:
    prefix = "school" if isinstance(owner, School) else "organisation"
    return f"{prefix}-{owner.pk}-{kind.value}"


class SignInDomain(models.Model):
    """An email domain a configuration admits (its staff's addresses, e.g. ``oakfield.sch.uk``). A domain belongs to
    one configuration at most, so an address finds its school's sign-in in one query."""

    identity_provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
