from django.db import migrations, models


def fail_older_pending_twins(apps, schema_editor):
    """Before the rule: a day with two pending versions (two managers asked at once) keeps
    its newest pending; the older ones are marked failed, so the day can be asked again."""
    DailyReport = apps.get_model("reports", "DailyReport")
    newest = {}
    twins = []
    for pk, store_id, day in (DailyReport.objects.filter(status="pending")
                              .order_by("-version").values_list("pk", "store_id", "day")):
        if (store_id, day) in newest:
            twins.append(pk)
        else:
            newest[(store_id, day)] = pk
    if twins:
        DailyReport.objects.filter(pk__in=twins).update(
            status="failed", error="asked for twice at once; the newer version is made")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0004_store_in_unique_sets"),
    ]

    operations = [
        migrations.RunPython(fail_older_pending_twins, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="dailyreport",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")), fields=("store", "day"),
                name="daily_report_one_pending"),
        ),
    ]
