"""Every existing link to a parent's account gets the contact record the roster keeps from now on."""

from django.db import migrations


def contacts_for_links(apps, schema_editor):
    ParentLink = apps.get_model("schools", "ParentLink")
    Contact = apps.get_model("schools", "Contact")
    contacts = {}
    for link in ParentLink.objects.filter(contact__isnull=True).select_related("parent", "pupil").iterator():
        key = (link.pupil.school_id, link.parent_id)
        if key not in contacts:
            contacts[key], _ = Contact.objects.get_or_create(
                school_id=link.pupil.school_id, user_id=link.parent_id,
                defaults={"full_name": link.parent.full_name or link.parent.email, "email": link.parent.email})
        link.contact = contacts[key]
        link.save(update_fields=["contact"])


class Migration(migrations.Migration):
    dependencies = [("schools", "0002_organisations_contacts_roster_keys")]

    operations = [migrations.RunPython(contacts_for_links, migrations.RunPython.noop)]
