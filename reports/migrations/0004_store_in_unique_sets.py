# Store in the unique sets and leading the indexes (issue 15 §6): a tier's store NOT NULL
# and in its unique start; the pending daily reports' index led by store (the evening
# job's sweep across stores reads the whole partial index: few rows are pending).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dealership", "0008_period_and_list_indexes"),
        ("reports", "0003_commission_tier_store"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commissiontier",
            name="store",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="dealership.store",
                                    verbose_name="store"),
        ),
        migrations.RemoveConstraint(
            model_name="commissiontier",
            name="commission_tier_unique_start",
        ),
        migrations.AddConstraint(
            model_name="commissiontier",
            constraint=models.UniqueConstraint(fields=("store", "scheme", "min_units"),
                                               name="commission_tier_unique_start"),
        ),
        migrations.RemoveIndex(
            model_name="dailyreport",
            name="daily_report_pending_idx",
        ),
        migrations.AddIndex(
            model_name="dailyreport",
            index=models.Index(condition=models.Q(("status", "pending")),
                               fields=["store", "created_at"],
                               name="daily_report_pending_idx"),
        ),
    ]
