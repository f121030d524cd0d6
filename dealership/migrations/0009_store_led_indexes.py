# Store in the unique sets and leading the indexes (issue 15 §6, docs/scaling.md §4): a VIN
# is unique within its store; an audit record's and a priced item's history are read in
# their store; the lone created_at and status indexes go (store-led indexes serve them:
# audit_store_idx, customer_list_idx, stock_store_status_idx).

import django.utils.timezone
from django.db import migrations, models

import dealership.validators


class Migration(migrations.Migration):

    dependencies = [
        ('dealership', '0008_period_and_list_indexes'),
    ]

    operations = [
        # The per-store rule first, so a VIN is never unguarded in between.
        migrations.AddConstraint(
            model_name='stockvehicle',
            constraint=models.UniqueConstraint(fields=('store', 'vin'), name='stock_vin_unique_per_store'),
        ),
        migrations.AlterField(
            model_name='stockvehicle',
            name='vin',
            field=models.CharField(max_length=17, validators=[dealership.validators.validate_vin], verbose_name='VIN'),
        ),
        migrations.AlterField(
            model_name='stockvehicle',
            name='status',
            field=models.CharField(choices=[('in_transit', 'In transit'), ('in_stock', 'In stock'), ('reserved', 'Reserved'), ('sold', 'Sold'), ('delivered', 'Delivered'), ('demo', 'Demo vehicle')], default='in_transit', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='customer',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='created_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.RemoveIndex(
            model_name='auditentry',
            name='audit_object_idx',
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['store', 'content_type', 'object_id', '-created_at'], name='audit_object_idx'),
        ),
        migrations.RemoveIndex(
            model_name='pricechange',
            name='price_change_item_idx',
        ),
        migrations.AddIndex(
            model_name='pricechange',
            index=models.Index(fields=['store', 'item_kind', 'item_id', '-changed_at'], name='price_change_item_idx'),
        ),
    ]
