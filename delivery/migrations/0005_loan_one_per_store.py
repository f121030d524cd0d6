# A loan application per contract is unique per store (issue 15 §6): the one-to-one
# column becomes a foreign key under a unique constraint that names the store.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0004_store_in_unique_sets'),
    ]

    operations = [
        migrations.AlterField(
            model_name='loanapplication',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='loan_application', to='contracts.contract', verbose_name='contract'),
        ),
        migrations.AddConstraint(
            model_name='loanapplication',
            constraint=models.UniqueConstraint(fields=('store', 'contract'), name='loan_one_per_contract'),
        ),
    ]
