# The objection's store becomes NOT NULL (filled in 0009); the rules on invitations, test
# drives and visits name the store first (issue 15 §6).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dealership", "0008_period_and_list_indexes"),
        ("showroom", "0009_objection_store"),
    ]

    operations = [
        migrations.AlterField(
            model_name="objection",
            name="store",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="dealership.store",
                                    verbose_name="store"),
        ),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="invitation_one_scheduled_per_lead",
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "scheduled")),
                                               fields=("store", "lead"),
                                               name="invitation_one_scheduled_per_lead"),
        ),
        migrations.RemoveConstraint(
            model_name="testdrive",
            name="test_drive_one_booking_per_vehicle_slot",
        ),
        migrations.AddConstraint(
            model_name="testdrive",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("booked", "in_progress", "done"))),
                fields=("store", "vehicle", "slot_start"),
                name="test_drive_one_booking_per_vehicle_slot"),
        ),
        migrations.RemoveIndex(
            model_name="visit",
            name="visit_consultant_idx",
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(fields=["store", "consultant", "-arrived_at"],
                               name="visit_consultant_idx"),
        ),
    ]
