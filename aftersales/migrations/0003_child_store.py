# The child tables of complaints, service records and surveys carry their store (issue 15
# §6): the column is added empty, filled from the parent in one statement per table, and
# made NOT NULL in 0004 (on PostgreSQL a NOT NULL in the transaction that filled the
# column fails on the foreign key's pending checks).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# child model -> (parent model, the child's field pointing at it)
CHILDREN = {
    "complaintevent": ("complaint", "complaint"),
    "complaintbreach": ("complaint", "complaint"),
    "serviceitem": ("servicerecord", "record"),
    "surveyanswer": ("survey", "survey"),
}


def fill_store(apps, schema_editor):
    alias = schema_editor.connection.alias
    for child, (parent, field) in CHILDREN.items():
        parents = apps.get_model("aftersales", parent).objects.using(alias)
        apps.get_model("aftersales", child).objects.using(alias).update(
            store_id=Subquery(parents.filter(pk=OuterRef(f"{field}_id")).values("store_id")))


def store_field():
    return models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="dealership.store", verbose_name="store")


class Migration(migrations.Migration):

    dependencies = [
        ("aftersales", "0002_complaint_closed_index"),
        ("dealership", "0008_period_and_list_indexes"),
    ]

    operations = [
        *[migrations.AddField(model_name=child, name="store", field=store_field())
          for child in CHILDREN],
        migrations.RunPython(fill_store, migrations.RunPython.noop, elidable=True),
    ]
