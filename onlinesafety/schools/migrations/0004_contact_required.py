import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("schools", "0003_contacts_for_existing_links")]

    operations = [
        migrations.AlterField(
            model_name="parentlink",
            name="contact",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="links",
                                    to="schools.contact"),
        ),
    ]
