"""A trigram index on the customer's name, so the search's `name__icontains` (which Django
writes as `UPPER("dealership_customer"."name"::text) LIKE UPPER('%…%')` on PostgreSQL) reads
an index instead of every customer of the store. PostgreSQL only: pg_trgm is one of its
extensions; on SQLite both operations do nothing and the search keeps its plain LIKE.

Built CONCURRENTLY (so outside a transaction) because on a dealer group's database the
customers table is large and live: a plain CREATE INDEX would hold its writes meanwhile.
The index stays out of the model's Meta: Django's GinIndex would be created on SQLite too.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "customer_name_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON dealership_customer "
        "USING gin ((UPPER(name::text)) gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ('dealership', '0006_customer_phone_last4'),
    ]

    operations = [
        # CreateExtension is a no-op on any database but PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
