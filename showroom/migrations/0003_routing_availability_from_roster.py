"""Today's roster keeps its effect on lead routing: routing no longer reads the showroom's
shifts but its own availability rows, which the roster service now writes. Copies the
shifts of today and later (yesterday included, for stores ahead of UTC); older days no
longer matter to routing."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def copy_roster(apps, schema_editor):
    DutyShift = apps.get_model("showroom", "DutyShift")
    RoutingAvailability = apps.get_model("leads", "RoutingAvailability")
    since = timezone.now().date() - dt.timedelta(days=1)
    shifts = DutyShift.objects.filter(date__gte=since).values_list(
        "store_id", "date", "consultant_id", "state")
    RoutingAvailability.objects.bulk_create(
        [RoutingAvailability(store_id=store_id, day=day, user_id=user_id,
                             available=state != "off")
         for store_id, day, user_id, state in shifts.iterator()],
        batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('leads', '0004_routingavailability'),
        ('showroom', '0002_alter_invitation_purpose'),
    ]

    operations = [
        migrations.RunPython(copy_roster, migrations.RunPython.noop),
    ]
