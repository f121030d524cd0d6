"""100,000 leads for the DjangoCRM comparison (run in DjangoCRM's `manage.py shell` after its
`setupdata`): 20 sales people of one department, five years of creation dates, 30 %
disqualified. Its sales manager (IamSALES) sees them all with `?owner=all`, 100 a page."""

import datetime as dt
import random

from crm.models import Country, Lead, LeadSource
from django.contrib.auth.models import Group, User
from django.utils import timezone

PASSWORD = "bench-pass-2026"  # noqa: S105 (a throwaway benchmark database)
rng = random.Random(15)  # noqa: S311 (test data, not a secret)
department = Group.objects.filter(department__isnull=False).first()
owners = []
for i in range(20):
    user, _ = User.objects.get_or_create(username=f"sales{i:02d}", defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.save()
    user.groups.add(department)
    owners.append(user)
countries = list(Country.objects.all()[:30])
sources = list(LeadSource.objects.all())
now = timezone.now()
given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳"]
family = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"]
batch = []
for i in range(100_000):
    created = now - dt.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
    batch.append(Lead(first_name=rng.choice(given), last_name=rng.choice(family),
                      email=f"lead{i}@example.com", phone=f"+86138{i:08d}",
                      owner=rng.choice(owners), department=department,
                      country=rng.choice(countries) if countries else None,
                      lead_source=rng.choice(sources) if sources else None,
                      disqualified=rng.random() < 0.3, creation_date=created))
    if len(batch) == 5000:
        Lead.objects.bulk_create(batch)
        batch = []
Lead.objects.bulk_create(batch)
print(Lead.objects.count())
