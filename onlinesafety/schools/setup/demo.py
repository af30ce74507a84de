"""The demo trust: Oakfield Learning Trust owns Oakfield and Riverside, and its administrator follows their set-up.
Oakfield is fully set up; Riverside only partly (its starter policies are not uploaded, its filtering providers
not recorded, it has no deputy DSL and no chair), so its checklist shows what is missing. Created once: running it
again changes nothing."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from onlinesafety.accounts.models import User
from onlinesafety.schools.models import Organisation, OrganisationMembership, OrganisationRole, School
from onlinesafety.setup import give_starter_records

TRUST_NAME = "Oakfield Learning Trust"
TRUST_SLUG = "oakfield-learning-trust"
TRUST_ADMIN_EMAIL = "trust-admin@oakfield.example"
TRUST_ADMIN_NAME = "Sarah Whitfield"
LOCAL_AUTHORITY = "Northshire"


@transaction.atomic
def seed(*, today: object = None) -> dict[str, int]:
    schools = {school.slug: school for school in School.objects.filter(slug__in=["oakfield", "riverside"])}
    if len(schools) < 2:
        return {}
    counts: dict[str, int] = {}
    trust, created = Organisation.objects.get_or_create(
        slug=TRUST_SLUG, defaults={"name": TRUST_NAME, "kind": Organisation.Kind.TRUST})
    counts["trusts"] = int(created)
    counts["schools joined to the trust"] = School.objects.filter(
        pk__in=[school.pk for school in schools.values()], organisation__isnull=True).update(organisation=trust)
    School.objects.filter(pk__in=[school.pk for school in schools.values()], local_authority="").update(
        local_authority=LOCAL_AUTHORITY)
    admin, created = User.objects.get_or_create(
        email=TRUST_ADMIN_EMAIL,
        defaults={"full_name": TRUST_ADMIN_NAME, "password": make_password(settings.DEMO_PASSWORD)})
    counts["users"] = int(created)
    _, created = OrganisationMembership.objects.get_or_create(user=admin, organisation=trust,
                                                              role=OrganisationRole.ADMINISTRATOR)
    counts["trust administrators"] = int(created)
    # Riverside is set up as if from the set-up page: its starter records (the policy register, not yet uploaded).
    counts["starter records"] = give_starter_records(schools["riverside"])
    return {what: count for what, count in counts.items() if count}
