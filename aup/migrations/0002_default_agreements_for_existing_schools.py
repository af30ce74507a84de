from django.db import migrations


def add_defaults(apps, schema_editor):
    from aup.defaults import DEFAULT_AGREEMENTS

    School = apps.get_model("schools", "School")
    Agreement = apps.get_model("aup", "Agreement")
    for school in School.objects.all():
        existing = set(Agreement.objects.filter(school=school).values_list("audience", flat=True))
        Agreement.objects.bulk_create([
            Agreement(school=school, audience=audience, title=default["title"], draft_text=default["text"])
            for audience, default in DEFAULT_AGREEMENTS.items() if audience not in existing
        ])


class Migration(migrations.Migration):
    dependencies = [("aup", "0001_initial"), ("schools", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
