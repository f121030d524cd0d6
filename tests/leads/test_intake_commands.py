"""The commands of DESIGN §4: import_leads and create_api_key."""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from dealership.models import Customer
from leads.enums import Channel
from leads.models import ApiKey, ImportBatch, Lead
from tests.leads.factories import CampaignFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

CSV = (
    "name,phone,channel,model_interest,purchase_window,budget_min,budget_max,city,note,"
    "created_at,来源\r\n"
    "张伟,13812345678,website,凯美瑞,1m,150000,200000,深圳,,2025-05-01 10:30,抖音\r\n"
    '李娜,12345,website,,,,,,"两行\r\n备注",,\r\n'
    "王五,13900001111,tv,,,,,,,,\r\n"
    "张伟,138 1234 5678,phone,,,,,,,,\r\n"
)


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "线索.csv"
    path.write_bytes(CSV.encode("gb18030"))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- import_leads ---------------------------------------------------------------------------
def test_import_leads_prints_bad_rows_then_the_counts(store, consultant, csv_file):
    output = run("import_leads", str(csv_file), "--store", "DEMO")

    assert output == (
        "row 3: Invalid phone number.\n"
        "row 4: Unknown channel “tv”; use one of: walk_in, phone, website, vertical_media, "
        "short_video, referral, partner, event, other.\n"
        "imported: 1, duplicates: 1, errors: 2\n"
    )
    batch = ImportBatch.objects.get()
    assert (batch.store, batch.filename, batch.uploaded_by) == (store, "线索.csv", None)
    assert list(Customer.objects.values_list("name", "phone")) == [("张伟", "+8613812345678")]


def test_import_leads_twice_creates_nothing_new(store, csv_file):
    run("import_leads", str(csv_file), "--store", "DEMO")

    output = run("import_leads", str(csv_file), "--store", "DEMO")

    assert output.splitlines()[-1] == "imported: 0, duplicates: 2, errors: 2"
    assert (Customer.objects.count(), Lead.objects.count()) == (1, 1)


def test_import_leads_with_campaign(store, csv_file):
    campaign = CampaignFactory(store=store, name="五一车展")

    output = run("import_leads", str(csv_file), "--store", "demo", "--campaign", "五一车展")

    assert output.splitlines()[-1] == "imported: 1, duplicates: 1, errors: 2"
    assert Lead.objects.get().campaign == campaign


def test_import_leads_clean_file_prints_only_the_counts(store, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text("name,phone,channel\n张伟,13812345678,event\n", encoding="utf-8-sig")

    assert run("import_leads", str(path), "--store", "DEMO") == (
        "imported: 1, duplicates: 0, errors: 0\n")


def test_import_leads_missing_file_is_an_error(store, tmp_path):
    missing = tmp_path / "nope.csv"

    with pytest.raises(CommandError) as error:
        run("import_leads", str(missing), "--store", "DEMO")

    assert str(error.value) == f"File not found: {missing}"


def test_import_leads_unknown_store_is_an_error(csv_file):
    with pytest.raises(CommandError) as error:
        run("import_leads", str(csv_file), "--store", "NOPE")

    assert str(error.value) == "Unknown store: NOPE"
    assert ImportBatch.objects.count() == 0


def test_import_leads_unknown_campaign_is_an_error(store, csv_file):
    with pytest.raises(CommandError) as error:
        run("import_leads", str(csv_file), "--store", "DEMO", "--campaign", "没有")

    assert str(error.value) == "Store DEMO has no campaign “没有”."


def test_import_leads_refused_file_is_an_error(store, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,city\n张伟,深圳\n")

    with pytest.raises(CommandError) as error:
        run("import_leads", str(path), "--store", "DEMO")

    assert str(error.value) == (
        "The file is missing the column(s) phone, channel. Its first row must name the columns: "
        "name, phone, channel, model_interest, purchase_window, budget_min, budget_max, city, "
        "note, created_at.")


def test_import_leads_from_the_command_line_exits_non_zero(store, tmp_path, capsys):
    missing = tmp_path / "nope.csv"

    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "import_leads", str(missing), "--store", "DEMO"])

    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"CommandError: File not found: {missing}\n"


# --- create_api_key -------------------------------------------------------------------------
def test_create_api_key_prints_the_key_last_and_stores_only_its_hash(client, store, consultant):
    output = run("create_api_key", "--store", "DEMO", "--channel", "vertical_media",
                 "--name", "汽车之家", "--rate-limit", "30")

    key = output.splitlines()[-1]
    row = ApiKey.objects.get()
    assert key.startswith("dlr_")
    assert len(key) == 47
    assert (row.store, row.channel, row.name, row.rate_limit_per_minute) == (
        store, Channel.VERTICAL_MEDIA, "汽车之家", 30)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.prefix == key[:12]
    stored = [str(value) for value in ApiKey.objects.values().get().values()]
    assert key not in stored
    response = client.post("/api/v1/leads", json.dumps(
        {"name": "陈大文", "phone": "13912345678", "channel": "vertical_media"}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201


def test_create_api_key_each_key_is_new(store):
    keys = {run("create_api_key", "--store", "DEMO", "--channel", "website").splitlines()[-1]
            for _ in range(3)}

    assert len(keys) == 3
    assert ApiKey.objects.count() == 3
    assert set(ApiKey.objects.values_list("rate_limit_per_minute", flat=True)) == {600}


@pytest.mark.parametrize(("args", "message"), [
    (["--store", "NOPE", "--channel", "website"], "Unknown store: NOPE"),
    (["--store", "DEMO", "--channel", "tv"],
     "Unknown channel: tv (use one of: walk_in, phone, website, vertical_media, short_video, "
     "referral, partner, event, other)"),
    (["--store", "DEMO", "--channel", "website", "--rate-limit", "0"],
     "--rate-limit must be at least 1."),
])
def test_create_api_key_refuses_bad_arguments(store, args, message):
    with pytest.raises(CommandError) as error:
        run("create_api_key", *args)

    assert str(error.value) == message
    assert ApiKey.objects.count() == 0
