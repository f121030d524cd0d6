"""The payments ledger now belongs to contracts (contracts 0002 took the models over with
their tables, rows and content types); delivery only forgets them."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0001_initial'),
        ('contracts', '0002_payment_refundobligation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Payment'),
                migrations.DeleteModel(name='RefundObligation'),
            ],
            database_operations=[],
        ),
    ]
