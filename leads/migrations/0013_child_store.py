# The lead's child tables and the consent history carry their store (issue 15 §6): the
# column is added empty, filled from the parent in one statement per table, and made NOT
# NULL in 0014 (on PostgreSQL a NOT NULL in the transaction that filled the column fails
# on the foreign key's pending checks).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# child model -> (parent app, parent model, the child's field pointing at it)
CHILDREN = {
    "leadevent": ("leads", "lead", "lead"),
    "touch": ("leads", "lead", "lead"),
    "lostrequest": ("leads", "lead", "lead"),
    "consentchange": ("dealership", "customer", "customer"),
}


def fill_store(apps, schema_editor):
    alias = schema_editor.connection.alias
    for child, (app, parent, field) in CHILDREN.items():
        parents = apps.get_model(app, parent).objects.using(alias)
        apps.get_model("leads", child).objects.using(alias).update(
            store_id=Subquery(parents.filter(pk=OuterRef(f"{field}_id")).values("store_id")))


def store_field():
    return models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="dealership.store", verbose_name="store")


class Migration(migrations.Migration):

    dependencies = [
        ("dealership", "0008_period_and_list_indexes"),
        ("leads", "0012_period_index"),
    ]

    operations = [
        *[migrations.AddField(model_name=child, name="store", field=store_field())
          for child in CHILDREN],
        migrations.RunPython(fill_store, migrations.RunPython.noop, elidable=True),
    ]
