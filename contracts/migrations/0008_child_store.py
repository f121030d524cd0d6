# The quote versions, contract events and contract PDFs carry their store (issue 15 §6):
# the column is added empty, filled from the parent in one statement per table, and made
# NOT NULL in 0009 (on PostgreSQL a NOT NULL in the transaction that filled the column
# fails on the foreign key's pending checks).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# child model -> (parent model, the child's field pointing at it)
CHILDREN = {
    "quoteversion": ("quote", "quote"),
    "contractevent": ("contract", "contract"),
    "contractdocument": ("contract", "contract"),
}


def fill_store(apps, schema_editor):
    alias = schema_editor.connection.alias
    for child, (parent, field) in CHILDREN.items():
        parents = apps.get_model("contracts", parent).objects.using(alias)
        apps.get_model("contracts", child).objects.using(alias).update(
            store_id=Subquery(parents.filter(pk=OuterRef(f"{field}_id")).values("store_id")))


def store_field(**kwargs):
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to="dealership.store", verbose_name="store", **kwargs)


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0007_signed_index"),
        ("dealership", "0008_period_and_list_indexes"),
    ]

    operations = [
        *[migrations.AddField(model_name=child, name="store", field=store_field(null=True))
          for child in CHILDREN],
        migrations.RunPython(fill_store, migrations.RunPython.noop, elidable=True),
    ]
