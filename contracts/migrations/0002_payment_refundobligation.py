"""The payments ledger moves from delivery to contracts (issue 9), without touching a row.

The tables keep their names (delivery_payment, delivery_refundobligation): this migration
only tells Django's state that contracts owns them; delivery 0002 then drops them from
delivery's state. The content types (and with them the permissions, group and user
grants, audit rows) move with the models: delivery.view_payment becomes
contracts.view_payment, and so on.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MODELS = ("payment", "refundobligation")


def _is_content_type(model) -> bool:
    return model._meta.label_lower == "contenttypes.contenttype"


def _merge(apps, db: str, old, new) -> None:
    """Both content types exist (post_migrate created the target's before this ran): keep
    the target's and point everything that named the old one at it."""
    Permission = apps.get_model("auth", "Permission")
    throughs = (apps.get_model("auth", "Group").permissions.through,
                apps.get_model(settings.AUTH_USER_MODEL).user_permissions.through)
    for permission in Permission.objects.using(db).filter(content_type=old):
        twin = (Permission.objects.using(db)
                .filter(content_type=new, codename=permission.codename).first())
        if twin is None:
            permission.content_type = new
            permission.save(update_fields=["content_type"])
            continue
        for through in throughs:
            holder = next(f.attname for f in through._meta.fields
                          if f.is_relation and f.related_model is not Permission)
            holders = (through.objects.using(db).filter(permission=permission)
                       .exclude(**{f"{holder}__in": through.objects.using(db)
                                   .filter(permission=twin).values(holder)})
                       .values_list(holder, flat=True))
            through.objects.using(db).bulk_create(
                [through(**{holder: pk, "permission": twin}) for pk in holders])
        permission.delete()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and _is_content_type(field.related_model):
                model._base_manager.using(db).filter(**{field.name: old}).update(
                    **{field.name: new})
    old.delete()


def _move_content_types(apps, schema_editor, *, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for name in MODELS:
        old = ContentType.objects.using(db).filter(app_label=source, model=name).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=target, model=name).first()
        if new is None:
            old.app_label = target
            old.save(update_fields=["app_label"])
        else:
            _merge(apps, db, old, new)


def to_contracts(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, source="delivery", target="contracts")


def to_delivery(apps, schema_editor) -> None:
    _move_content_types(apps, schema_editor, source="contracts", target="delivery")


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0001_initial'),
        # The tables were created by delivery's first migration.
        ('delivery', '0001_initial'),
        ('dealership', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('deposit', 'Deposit'), ('balance', 'Balance'), ('loan', 'Loan disbursement'), ('refund', 'Refund')], max_length=10, verbose_name='kind')),
                        ('channel', models.CharField(choices=[('cash', 'Cash'), ('card', 'Bank card'), ('transfer', 'Bank transfer'), ('wechat_pay', 'WeChat Pay'), ('alipay', 'Alipay')], max_length=12, verbose_name='paid by')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='amount (CNY)')),
                        ('receipt_number', models.CharField(blank=True, max_length=40, verbose_name='receipt number')),
                        ('received_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='received at')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed at')),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='contracts.contract', verbose_name='contract')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store')),
                    ],
                    options={
                        'verbose_name': 'payment',
                        'verbose_name_plural': 'payments',
                        'db_table': 'delivery_payment',
                        'ordering': ['-received_at', '-id'],
                        'indexes': [models.Index(fields=['store', 'confirmed_at'], name='payment_confirm_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_amount_positive'), models.UniqueConstraint(condition=models.Q(('receipt_number', ''), _negated=True), fields=('store', 'receipt_number'), name='payment_receipt_unique_per_store')],
                    },
                ),
                migrations.CreateModel(
                    name='RefundObligation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='amount (CNY)')),
                        ('reason', models.CharField(max_length=300, verbose_name='reason')),
                        ('status', models.CharField(choices=[('due', 'To refund'), ('paid', 'Refunded')], default='due', max_length=8, verbose_name='status')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                        ('settled_at', models.DateTimeField(blank=True, null=True, verbose_name='refunded at')),
                        ('contract', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='refund_obligation', to='contracts.contract', verbose_name='contract')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('settled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='refunded by')),
                        ('store', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store')),
                    ],
                    options={
                        'verbose_name': 'refund owed',
                        'verbose_name_plural': 'refunds owed',
                        'db_table': 'delivery_refundobligation',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='refund_amount_positive'), models.CheckConstraint(condition=models.Q(('status', 'due'), ('settled_at__isnull', False), _connector='OR'), name='refund_paid_has_time')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(to_contracts, to_delivery),
    ]
