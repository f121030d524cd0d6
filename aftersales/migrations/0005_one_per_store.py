# A care plan per contract and a loyalty account per customer are unique per store
# (issue 15 §6): the one-to-one columns become foreign keys under a unique constraint
# that names the store.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('aftersales', '0004_store_in_unique_sets'),
    ]

    operations = [
        migrations.AlterField(
            model_name='careplan',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='care_plan', to='contracts.contract', verbose_name='contract'),
        ),
        migrations.AlterField(
            model_name='loyaltyaccount',
            name='customer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='loyalty_account', to='dealership.customer', verbose_name='customer'),
        ),
        migrations.AddConstraint(
            model_name='careplan',
            constraint=models.UniqueConstraint(fields=('store', 'contract'), name='care_plan_one_per_contract'),
        ),
        migrations.AddConstraint(
            model_name='loyaltyaccount',
            constraint=models.UniqueConstraint(fields=('store', 'customer'), name='loyalty_one_per_customer'),
        ),
    ]
