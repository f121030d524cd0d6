# The children's store becomes NOT NULL (filled in 0008); the unique rules and indexes of
# quotes, approvals and contracts name the store first, and the single-column indexes the
# store-led ones serve go (issue 15 §6).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def store_field():
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to="dealership.store", verbose_name="store")


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0008_child_store"),
        ("dealership", "0008_period_and_list_indexes"),
        ("leads", "0012_period_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[migrations.AlterField(model_name=child, name="store", field=store_field())
          for child in ("quoteversion", "contractevent", "contractdocument")],
        # Unique sets.
        migrations.RemoveConstraint(
            model_name="quoteversion",
            name="quote_version_unique",
        ),
        migrations.AddConstraint(
            model_name="quoteversion",
            constraint=models.UniqueConstraint(fields=("store", "quote", "number"),
                                               name="quote_version_unique"),
        ),
        migrations.RemoveConstraint(
            model_name="approvalrequest",
            name="approval_one_pending_per_quote",
        ),
        migrations.AddConstraint(
            model_name="approvalrequest",
            constraint=models.UniqueConstraint(condition=models.Q(("status", "pending")),
                                               fields=("store", "quote"),
                                               name="approval_one_pending_per_quote"),
        ),
        migrations.RemoveConstraint(
            model_name="contract",
            name="contract_one_live_per_quote",
        ),
        migrations.AddConstraint(
            model_name="contract",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("draft", "in_review", "approved", "signed",
                                                   "delivered", "closed"))),
                fields=("store", "quote"), name="contract_one_live_per_quote"),
        ),
        # Indexes led by the store.
        migrations.RemoveIndex(
            model_name="quote",
            name="quote_consultant_idx",
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(fields=["store", "consultant", "-updated_at"],
                               name="quote_consultant_idx"),
        ),
        migrations.RemoveIndex(
            model_name="contract",
            name="contract_consultant_idx",
        ),
        migrations.AddIndex(
            model_name="contract",
            index=models.Index(fields=["store", "consultant", "-created_at"],
                               name="contract_consultant_idx"),
        ),
        migrations.RemoveIndex(
            model_name="contractevent",
            name="contract_event_idx",
        ),
        migrations.AddIndex(
            model_name="contractevent",
            index=models.Index(fields=["store", "contract", "-created_at"],
                               name="contract_event_idx"),
        ),
        # Single-column indexes dropped: quote_store_status_idx, approval_inbox_idx,
        # contract_store_status_idx and contract_signed_idx (store, signed_at) serve them.
        migrations.AlterField(
            model_name="quote",
            name="status",
            field=models.CharField(choices=[("pending", "Awaiting approval"),
                                            ("approved", "Approved"), ("rejected", "Rejected"),
                                            ("contracted", "Contract drafted"),
                                            ("withdrawn", "Withdrawn")],
                                   default="pending", max_length=12, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="approvalrequest",
            name="tier",
            field=models.CharField(choices=[("consultant", "Consultant"),
                                            ("supervisor", "Supervisor"),
                                            ("manager", "Manager")],
                                   max_length=12, verbose_name="approval needed from"),
        ),
        migrations.AlterField(
            model_name="contract",
            name="status",
            field=models.CharField(choices=[("draft", "Draft"), ("in_review", "In review"),
                                            ("approved", "Approved"), ("signed", "Signed"),
                                            ("delivered", "Delivered"), ("closed", "Closed"),
                                            ("cancelled", "Cancelled")],
                                   default="draft", max_length=12, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="contract",
            name="signed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="signed at"),
        ),
    ]
