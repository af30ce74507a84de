"""Each pupil linked to an incident gets a role in it. The links move from the automatic many-to-many table to
``IncidentPupil``; every link made before roles existed becomes "involved" (nobody chose another)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    old = Incident.pupils.through.objects.values_list("incident_id", "pupil_id").order_by("pk")
    IncidentPupil.objects.bulk_create(
        (IncidentPupil(incident_id=incident_id, pupil_id=pupil_id, role="involved") for incident_id, pupil_id in old),
        batch_size=1000,
    )


def copy_links_back(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    IncidentPupil = apps.get_model("incidents", "IncidentPupil")
    through = Incident.pupils.through
    through.objects.bulk_create(
        (through(incident_id=incident_id, pupil_id=pupil_id)
         for incident_id, pupil_id in IncidentPupil.objects.values_list("incident_id", "pupil_id").order_by("pk")),
        batch_size=1000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0012_retire_category_matrix"),
        ("schools", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="IncidentPupil",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField(choices=[("affected", "Affected (harmed)"),
                                                   ("caused_harm", "Alleged to have caused harm"),
                                                   ("witness", "Witness"), ("involved", "Involved")],
                                          default="involved", max_length=20)),
                ("incident", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                               related_name="pupil_links", to="incidents.incident")),
                ("pupil", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                            related_name="incident_links", to="schools.pupil")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("incident", "pupil"), name="incidents_pupil_once"),
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ["affected", "caused_harm", "witness", "involved"])),
                        name="incidents_pupil_role_known"),
                ],
                "indexes": [models.Index(fields=["pupil", "role"], name="incidents_pupil_role")],
            },
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.RemoveField(model_name="incident", name="pupils"),
        migrations.AddField(
            model_name="incident",
            name="pupils",
            field=models.ManyToManyField(blank=True, related_name="incidents", through="incidents.IncidentPupil",
                                         to="schools.pupil"),
        ),
        migrations.AlterField(
            model_name="timelineentry",
            name="kind",
            field=models.CharField(choices=[("reported", "Reported"), ("acknowledged", "Acknowledged"), ("assigned", "Assigned"), ("level", "Level set"), ("note", "Note"), ("status", "Status changed"), ("action", "Action"), ("action_done", "Action done"), ("referral", "Referral"), ("parents", "Parents or carers informed"), ("sanction", "Sanction"), ("feedback", "Feedback to the reporter"), ("lesson", "Lesson learnt"), ("evidence", "Evidence added"), ("evidence_not_stored", "File not stored: ask the reporter for it"), ("branch", "Flowchart step recorded"), ("shared", "Shared"), ("unshared", "Sharing revoked"), ("closed", "Closed"), ("reopened", "Reopened"), ("behaviours", "Behaviours recorded"), ("checklist", "Checklist"), ("pupil_role", "Pupil's role changed")], max_length=20),  # noqa: E501
        ),
    ]
