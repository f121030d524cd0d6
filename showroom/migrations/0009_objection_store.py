# An objection carries its store (issue 15 §6): the column is added empty, filled from the
# visit in one statement, and made NOT NULL in 0010 (on PostgreSQL a NOT NULL in the
# transaction that filled the column fails on the foreign key's pending checks).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_store(apps, schema_editor):
    alias = schema_editor.connection.alias
    visits = apps.get_model("showroom", "Visit").objects.using(alias)
    apps.get_model("showroom", "Objection").objects.using(alias).update(
        store_id=Subquery(visits.filter(pk=OuterRef("visit_id")).values("store_id")))


class Migration(migrations.Migration):

    dependencies = [
        ("dealership", "0008_period_and_list_indexes"),
        ("showroom", "0008_drop_store_arrived_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="store",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="dealership.store",
                                    verbose_name="store"),
        ),
        migrations.RunPython(fill_store, migrations.RunPython.noop, elidable=True),
    ]
