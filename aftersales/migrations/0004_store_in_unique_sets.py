# Every store-owned table's unique sets name the store and its indexes lead with it
# (issue 15 §6); the child tables' store, filled by 0003, becomes NOT NULL.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("aftersales", "0003_child_store"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='carestep',
            name='care_step_once_per_plan',
        ),
        migrations.RemoveConstraint(
            model_name='complaintbreach',
            name='complaint_breach_once',
        ),
        migrations.RemoveConstraint(
            model_name='pointsentry',
            name='points_entry_once_per_referral_kind',
        ),
        migrations.RemoveConstraint(
            model_name='survey',
            name='survey_one_per_delivery',
        ),
        migrations.RemoveConstraint(
            model_name='surveyanswer',
            name='survey_answer_once',
        ),
        migrations.RemoveIndex(
            model_name='appointment',
            name='appointment_customer_idx',
        ),
        migrations.RemoveIndex(
            model_name='carestep',
            name='care_step_assignee_idx',
        ),
        migrations.RemoveIndex(
            model_name='complaint',
            name='complaint_customer_idx',
        ),
        migrations.RemoveIndex(
            model_name='pointsentry',
            name='points_entry_acct_idx',
        ),
        migrations.RemoveIndex(
            model_name='referral',
            name='referral_referrer_idx',
        ),
        migrations.RemoveIndex(
            model_name='servicerecord',
            name='service_record_cust_idx',
        ),
        migrations.RemoveIndex(
            model_name='survey',
            name='survey_staff_idx',
        ),
        migrations.AlterField(
            model_name='complaintbreach',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store'),
        ),
        migrations.AlterField(
            model_name='complaintevent',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store'),
        ),
        migrations.AlterField(
            model_name='serviceitem',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store'),
        ),
        migrations.AlterField(
            model_name='surveyanswer',
            name='store',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dealership.store', verbose_name='store'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='number',
            field=models.CharField(max_length=32, verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='received_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='received'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['store', 'customer', '-day'], name='appointment_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='carestep',
            index=models.Index(fields=['store', 'assignee', 'status', 'due_on'], name='care_step_assignee_idx'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['store', 'customer', '-received_at'], name='complaint_customer_idx'),
        ),
        migrations.AddIndex(
            model_name='pointsentry',
            index=models.Index(fields=['store', 'account', '-created_at'], name='points_entry_acct_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['store', 'referrer', '-created_at'], name='referral_referrer_idx'),
        ),
        migrations.AddIndex(
            model_name='servicerecord',
            index=models.Index(fields=['store', 'customer', '-serviced_on'], name='service_record_cust_idx'),
        ),
        migrations.AddIndex(
            model_name='survey',
            index=models.Index(fields=['store', 'staff', '-answered_at'], name='survey_staff_idx'),
        ),
        migrations.AddConstraint(
            model_name='carestep',
            constraint=models.UniqueConstraint(fields=('store', 'plan', 'kind'), name='care_step_once_per_plan'),
        ),
        migrations.AddConstraint(
            model_name='complaint',
            constraint=models.UniqueConstraint(fields=('store', 'number'), name='complaint_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='complaintbreach',
            constraint=models.UniqueConstraint(fields=('store', 'complaint', 'clock', 'round', 'level'), name='complaint_breach_once'),
        ),
        migrations.AddConstraint(
            model_name='pointsentry',
            constraint=models.UniqueConstraint(condition=models.Q(('referral__isnull', False)), fields=('store', 'referral', 'kind'), name='points_entry_once_per_referral_kind'),
        ),
        migrations.AddConstraint(
            model_name='survey',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'delivery')), fields=('store', 'contract'), name='survey_one_per_delivery'),
        ),
        migrations.AddConstraint(
            model_name='surveyanswer',
            constraint=models.UniqueConstraint(fields=('store', 'survey', 'question'), name='survey_answer_once'),
        ),
    ]
