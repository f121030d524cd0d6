"""Lead CSV import (DESIGN §4): the import_leads_csv service and the web import screens."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from dealership.enums import Role
from dealership.models import Customer
from leads.enums import Channel, Grade, PurchaseWindow
from leads.importer import import_leads_csv
from leads.models import ImportBatch, Lead
from leads.services.imports import import_batch_run
from tests.factories import CustomerFactory
from tests.helpers import HTMX
from tests.leads.factories import CampaignFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADER = ("name,phone,channel,model_interest,purchase_window,budget_min,budget_max,city,note,"
          "created_at")


def run(store, text: str, *, encoding: str = "utf-8", actor=None, campaign=None,
        filename: str = "leads.csv") -> ImportBatch:
    return import_leads_csv(store=store, data=text.encode(encoding), filename=filename,
                            actor=actor, campaign=campaign)


def report(batch: ImportBatch) -> list[tuple[int, str, str]]:
    return [(row["row"], row["result"], row["message"]) for row in batch.rows]


def csv_text(*lines: str) -> str:
    return "\r\n".join([HEADER, *lines]) + "\r\n"


# --- Encodings ------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_import_reads_chinese_names_in_each_encoding(store, consultant, teammate, encoding):
    text = csv_text("张伟,13812345678,website,凯美瑞,1m,150000,200000,深圳,周末看车,",
                    "欧阳娜娜,13900001111,vertical_media,,3d,,,广州,,")

    batch = run(store, text, encoding=encoding)

    assert (batch.imported, batch.duplicates, batch.errors) == (2, 0, 0)
    assert report(batch) == [(2, "imported", ""), (3, "imported", "")]
    assert sorted(Customer.objects.values_list("name", "phone")) == [
        ("张伟", "+8613812345678"), ("欧阳娜娜", "+8613900001111")]
    lead = Lead.objects.get(customer__name="张伟")
    assert (lead.channel, lead.purchase_window, lead.grade, lead.model_interest) == (
        Channel.WEBSITE, PurchaseWindow.MONTH_1, Grade.B, "凯美瑞")
    assert (lead.budget_min, lead.budget_max, lead.note) == (150000, 200000, "周末看车")


def test_import_bom_does_not_hide_the_first_column(store):
    batch = run(store, "name,phone,channel\r\n王五,13812345678,event\r\n", encoding="utf-8-sig")

    assert report(batch) == [(2, "imported", "")]


def test_import_gb18030_file_is_not_read_as_utf8(store):
    data = "name,phone,channel\n张三丰,13812345678,phone\n".encode("gb18030")

    import_leads_csv(store=store, data=data, filename="leads.csv", actor=None)

    assert Customer.objects.get().name == "张三丰"


def test_import_refuses_undecodable_file(store):
    with pytest.raises(ValidationError) as refused:
        import_leads_csv(store=store, data=b"name,phone,channel\n\xff\xfe\xff,1,2\n",
                         filename="x.csv", actor=None)

    assert refused.value.messages == [
        "The file is neither UTF-8 nor GB18030 text. Save it as “CSV (UTF-8)”."]
    assert ImportBatch.objects.count() == 0


def test_import_refuses_utf16_file(store):
    with pytest.raises(ValidationError) as refused:
        import_leads_csv(store=store, data="name,phone,channel\n".encode("utf-16-le"),
                         filename="x.csv", actor=None)

    assert refused.value.messages == [
        "The file contains NUL characters (is it UTF-16?). Save it as “CSV (UTF-8)”."]


# --- Layout ---------------------------------------------------------------------------------
def test_import_numbers_rows_like_a_spreadsheet_with_multiline_cells(store):
    text = csv_text('张伟,13812345678,website,,,,,,"第一行\n第二行\n第三行",',
                    "李娜,123,website,,,,,,,",
                    "",
                    '"王\r\n五",13900001111,nope,,,,,,,')

    batch = run(store, text)

    assert report(batch) == [
        (2, "imported", ""),
        (3, "error", "Invalid phone number."),
        (5, "error", "Unknown channel “nope”; use one of: walk_in, phone, website, "
                     "vertical_media, short_video, referral, partner, event, other."),
    ]
    assert Lead.objects.get().note == "第一行\n第二行\n第三行"


def test_import_ignores_unknown_columns_and_any_column_order(store):
    text = "来源,Phone, NAME ,remark,channel\r\n抖音,13812345678,赵六,x,short_video\r\n"

    batch = run(store, text)

    assert report(batch) == [(2, "imported", "")]
    customer = Customer.objects.get()
    assert (customer.name, customer.phone) == ("赵六", "+8613812345678")
    assert Lead.objects.get().channel == Channel.SHORT_VIDEO


@pytest.mark.parametrize(("header", "missing"), [
    ("name,channel,city", "phone"),
    ("phone,city", "name, channel"),
    ("姓名,手机,渠道", "name, phone, channel"),
])
def test_import_refuses_file_missing_required_columns(store, header, missing):
    with pytest.raises(ValidationError) as refused:
        run(store, f"{header}\r\n张伟,13812345678,website\r\n")

    assert refused.value.messages == [
        f"The file is missing the column(s) {missing}. Its first row must name the columns: "
        "name, phone, channel, model_interest, purchase_window, budget_min, budget_max, city, "
        "note, created_at."]
    assert (Customer.objects.count(), ImportBatch.objects.count()) == (0, 0)


@pytest.mark.parametrize(("text", "message"), [
    ("", "The file is empty."),
    ("name,phone,channel\r\n", "The file has no rows below the header."),
    ("name,phone,channel\r\n\r\n,,\r\n", "The file has no rows below the header."),
    ("name,phone,phone,channel\r\n", "The column “phone” appears twice in the header."),
])
def test_import_refuses_file_without_rows(store, text, message):
    with pytest.raises(ValidationError) as refused:
        run(store, text)

    assert refused.value.messages == [message]


# --- Row checks -----------------------------------------------------------------------------
ROW_ERRORS = [
    (",13812345678,website,,,,,,,", "Name missing."),
    ("王" * 51 + ",13812345678,website,,,,,,,", "name is longer than 50 characters."),
    ("张伟,,website,,,,,,,", "Phone number missing."),
    ("张伟,1381234567,website,,,,,,,", "Invalid phone number."),
    ("张伟,call me,website,,,,,,,", "Invalid phone number."),
    ("张伟,13812345678,,,,,,,,", "Channel missing."),
    ("张伟,13812345678,tiktok,,,,,,,",
     "Unknown channel “tiktok”; use one of: walk_in, phone, website, vertical_media, "
     "short_video, referral, partner, event, other."),
    ("张伟,13812345678,website,,next year,,,,,",
     "Unknown purchase_window “next year”; use 3d, 1m or 3m+."),
    ("张伟,13812345678,website,,,15万,,,,", "budget_min “15万” is no whole number of CNY."),
    ("张伟,13812345678,website,,,,-5,,,", "budget_max “-5” is no whole number of CNY."),
    ("张伟,13812345678,website,,,,1.5,,,", "budget_max “1.5” is no whole number of CNY."),
    ("张伟,13812345678,website,,,,99999999999,,,",
     "budget_max “99999999999” is no whole number of CNY."),
    ("张伟,13812345678,website,,,200000,100000,,,", "budget_min is above budget_max."),
    ("张伟,13812345678,website,,,,,,,yesterday",
     "created_at “yesterday” is no date; use YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    ("张伟,13812345678,website,,,,,,,2025-02-30",
     "created_at “2025-02-30” is no date; use YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    ("张伟,13812345678,website,,,,,,,0001-01-01",
     "created_at “0001-01-01” is before 2000-01-01."),
    ("张伟,13812345678,website,,,,,,,1999-12-31 23:59",
     "created_at “1999-12-31 23:59” is before 2000-01-01."),
    ("张伟,13812345678,website,,,,,,,2999-01-01 10:00",
     "created_at “2999-01-01 10:00” is in the future."),
    ("张伟,13812345678,website," + "车" * 101 + ",,,,,,",
     "model_interest is longer than 100 characters."),
    ("张伟,13812345678,website,,,,,城" + "城" * 50 + ",,", "city is longer than 50 characters."),
    ("张伟,13812345678,website,,,,,," + "字" * 1001 + ",",
     "note is longer than 1000 characters."),
]


@pytest.mark.parametrize(("line", "message"), ROW_ERRORS)
def test_import_reports_each_bad_row_with_its_reason(store, line, message):
    batch = run(store, csv_text(line))

    assert report(batch) == [(2, "error", message)]
    assert (batch.imported, batch.duplicates, batch.errors) == (0, 0, 1)
    assert (Customer.objects.count(), Lead.objects.count()) == (0, 0)


def test_import_reports_every_problem_of_a_row(store):
    batch = run(store, csv_text(",12,bogus,,,x,,,,"))

    assert report(batch) == [(2, "error", "Name missing. Invalid phone number. Unknown channel "
                              "“bogus”; use one of: walk_in, phone, website, vertical_media, "
                              "short_video, referral, partner, event, other. budget_min “x” is "
                              "no whole number of CNY.")]


def test_import_accepts_labels_thousands_separators_and_short_rows(store):
    with translation.override("zh-hans"):
        website = str(Channel.WEBSITE.label)  # whatever the catalogue calls it
    text = ("name,phone,channel,purchase_window,budget_min,budget_max\r\n"
            f"张伟,13812345678,{website},Within 3 days,\"150,000\",200000\r\n"
            "李娜,13900001111,Vertical media\r\n")

    batch = run(store, text)

    assert report(batch) == [(2, "imported", ""), (3, "imported", "")]
    first = Lead.objects.get(customer__name="张伟")
    assert (first.channel, first.grade, first.budget_min) == (Channel.WEBSITE, Grade.A, 150000)
    assert Lead.objects.get(customer__name="李娜").channel == Channel.VERTICAL_MEDIA


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-05-01", dt.datetime(2025, 5, 1, 0, 0, tzinfo=SHANGHAI)),
    ("2025-05-01 10:30", dt.datetime(2025, 5, 1, 10, 30, tzinfo=SHANGHAI)),
    ("2025-05-01T10:30:15", dt.datetime(2025, 5, 1, 10, 30, 15, tzinfo=SHANGHAI)),
    ("2025-05-01T02:30:00+00:00", dt.datetime(2025, 5, 1, 10, 30, tzinfo=SHANGHAI)),
    ("2025/5/1 10:30", dt.datetime(2025, 5, 1, 10, 30, tzinfo=SHANGHAI)),
    ("2000-01-01", dt.datetime(2000, 1, 1, 0, 0, tzinfo=SHANGHAI)),  # the first day allowed
])
def test_import_reads_created_at_in_the_store_time_zone(store, value, expected):
    batch = run(store, csv_text(f"张伟,13812345678,website,,,,,,,{value}"))

    assert report(batch) == [(2, "imported", "")]
    assert Lead.objects.get().created_at == expected


def test_import_empty_created_at_means_now(store):
    before = timezone.now()

    run(store, csv_text("张伟,13812345678,website,,,,,,,"))

    assert before <= Lead.objects.get().created_at <= timezone.now()


# --- Duplicates -----------------------------------------------------------------------------
def test_import_duplicates_within_file_and_with_existing_customers(store, consultant):
    CustomerFactory(store=store, phone="+8613700001111", owner=consultant)
    text = csv_text("张伟,13812345678,website,,,,,,,",
                    "张伟,+86 138 1234 5678,phone,,,,,,,",
                    "老客户,137-0000-1111,event,,,,,,,",
                    "坏行,13900001111,nope,,,,,,,",
                    "好行,13900001111,event,,,,,,,")

    batch = run(store, text)

    assert report(batch) == [
        (2, "imported", ""),
        (3, "duplicate", "Same phone as row 2."),
        (4, "duplicate", "Already a customer of the store."),
        (5, "error", "Unknown channel “nope”; use one of: walk_in, phone, website, "
                     "vertical_media, short_video, referral, partner, event, other."),
        (6, "imported", ""),
    ]
    assert (batch.imported, batch.duplicates, batch.errors) == (2, 2, 1)
    # A duplicate writes nothing: the existing customer got no lead.
    assert Lead.objects.filter(customer__phone="+8613700001111").count() == 0
    assert Customer.objects.count() == 3


def test_import_same_file_again_creates_nothing(store, consultant, teammate):
    text = csv_text("张伟,13812345678,website,,1m,,,,,", "李娜,13900001111,event,,,,,,,",
                    "错误,1,event,,,,,,,")
    run(store, text)
    before = (Customer.objects.count(), Lead.objects.count())

    again = run(store, text)

    assert report(again) == [(2, "duplicate", "Already a customer of the store."),
                             (3, "duplicate", "Already a customer of the store."),
                             (4, "error", "Invalid phone number.")]
    assert (Customer.objects.count(), Lead.objects.count()) == before == (2, 2)


def test_import_phone_of_another_store_is_not_a_duplicate(store, other_store):
    CustomerFactory(store=other_store, phone="+8613812345678")

    batch = run(store, csv_text("张伟,13812345678,website,,,,,,,"))

    assert report(batch) == [(2, "imported", "")]


# --- Batch, campaign, actor -----------------------------------------------------------------
def test_import_keeps_batch_with_actor_file_name_and_campaign(store, make_user):
    marketing = make_user(Role.MARKETING)
    campaign = CampaignFactory(store=store, name="五一车展", channel=Channel.EVENT)

    batch = run(store, csv_text("张伟,13812345678,,,,,,,,"), actor=marketing,
                campaign=campaign, filename="C:\\Users\\me\\五一 名单.csv")

    batch.refresh_from_db()
    assert (batch.store, batch.uploaded_by, batch.filename) == (store, marketing, "五一 名单.csv")
    lead = Lead.objects.get()
    assert (lead.campaign, lead.channel) == (campaign, Channel.EVENT)


def test_import_refuses_campaign_of_another_store(store, other_store):
    campaign = CampaignFactory(store=other_store)

    with pytest.raises(ValidationError) as refused:
        run(store, csv_text("张伟,13812345678,event,,,,,,,"), campaign=campaign)

    assert refused.value.messages == ["The campaign belongs to another store."]


# --- Web: upload ----------------------------------------------------------------------------
def upload(text: str, name: str = "leads.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_import_page_opens_for_marketing(client, make_user):
    client.force_login(make_user(Role.MARKETING, language="en"))

    response = client.get("/leads/import/")

    assert response.status_code == 200
    assert response.templates[0].name == "leads/import_form.html"
    assert list(response.context["batches"]) == []


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.SUPERVISOR, Role.RECEPTIONIST,
                                  Role.FINANCE])
def test_import_page_is_forbidden_to_other_roles(client, make_user, role):
    client.force_login(make_user(role))

    responses = [client.get("/leads/import/"),
                 client.post("/leads/import/", {"file": upload(csv_text())})]

    assert [r.status_code for r in responses] == [403, 403]
    assert ImportBatch.objects.count() == 0


def test_import_page_anonymous_redirects_to_login(client):
    response = client.get("/leads/import/")

    assert (response.status_code, response["Location"]) == (
        302, "/accounts/login/?next=/leads/import/")


def test_import_upload_by_marketing_redirects_to_the_batch(
        client, store, make_user, django_capture_on_commit_callbacks):
    marketing = make_user(Role.MARKETING, language="en")
    client.force_login(marketing)
    campaign = CampaignFactory(store=store, channel=Channel.EVENT)
    text = csv_text("张伟,13812345678,website,,,,,,,", "李娜,bad,website,,,,,,,")

    # The upload only stores the file and queues the job (issue 14): the job is run here
    # by hand, as the worker would.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/leads/import/", {"file": upload(text, encoding="gb18030"),
                                                  "campaign": campaign.pk})
    batch = ImportBatch.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/leads/import/{batch.pk}/")
    assert (batch.status, Lead.objects.count(), len(callbacks)) == ("queued", 0, 1)
    import_batch_run(batch_id=batch.pk)

    batch.refresh_from_db()
    assert (batch.store, batch.uploaded_by, batch.status, batch.imported, batch.errors) == (
        store, marketing, "done", 1, 1)
    assert Lead.objects.get().campaign == campaign
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "The file is uploaded and being imported. This page shows how far it is."]
    assert list(page.context["page"].object_list) == [
        {"row": 2, "result": "imported", "message": ""},
        {"row": 3, "result": "error", "message": "Invalid phone number."}]


def test_import_upload_manager_may_import(client, store, manager):
    client.force_login(manager)

    response = client.post("/leads/import/", {"file": upload(csv_text(
        "张伟,13812345678,website,,,,,,,"))})

    assert response.status_code == 302
    assert ImportBatch.objects.get().uploaded_by == manager


def test_import_upload_over_5_mb_is_refused(client, store, make_user):
    client.force_login(make_user(Role.MARKETING, language="en"))
    big = csv_text("张伟,13812345678,website,,,,,,,") + ("#" * (5 * 1024 * 1024))

    response = client.post("/leads/import/", {"file": upload(big)})

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": [
        "The file is 5.0 MB; files of at most 5 MB can be imported. Split it into smaller "
        "files."]}
    assert (ImportBatch.objects.count(), Lead.objects.count()) == (0, 0)


@pytest.mark.parametrize(("file", "message"), [
    (upload("name,city\r\n张伟,深圳\r\n"),
     "The file is missing the column(s) phone, channel. Its first row must name the columns: "
     "name, phone, channel, model_interest, purchase_window, budget_min, budget_max, city, "
     "note, created_at."),
    (upload("x", name="leads.xlsx"),
     "This is a spreadsheet file. Save it as “CSV (UTF-8)” and upload that."),
    (upload("", name="leads.csv"), "The submitted file is empty."),
    (None, "This field is required."),
])
def test_import_upload_of_unusable_file_shows_why(client, store, make_user, file, message):
    client.force_login(make_user(Role.MARKETING, language="en"))

    response = client.post("/leads/import/", {"file": file} if file else {})

    assert response.status_code == 400
    assert response.context["form"].errors == {"file": [message]}
    assert message in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_import_upload_refuses_campaign_of_another_store(client, store, other_store, make_user):
    client.force_login(make_user(Role.MARKETING, language="en"))
    foreign = CampaignFactory(store=other_store)

    response = client.post("/leads/import/", {"file": upload(csv_text()), "campaign": foreign.pk})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["campaign"]
    assert ImportBatch.objects.count() == 0


def test_import_page_lists_past_imports_of_the_store_only(client, store, other_store,
                                                          make_user):
    client.force_login(make_user(Role.MARKETING))
    own = ImportBatch.objects.create(store=store, filename="own.csv")
    ImportBatch.objects.create(store=other_store, filename="foreign.csv")

    response = client.get("/leads/import/")

    assert list(response.context["batches"]) == [own]


@pytest.mark.parametrize("count", [1, 3])
def test_import_page_query_count(client, store, make_user, django_assert_num_queries, count):
    client.force_login(make_user(Role.MARKETING))
    for n in range(count):
        ImportBatch.objects.create(store=store, filename=f"{n}.csv", rows=[{"row": 2}] * 100)

    # session, user, campaigns of the form, count and page of the imports, messages
    with django_assert_num_queries(6):
        response = client.get("/leads/import/")

    assert len(response.context["batches"]) == count


def test_import_page_admin_without_store_is_forbidden(client, make_user):
    client.force_login(make_user(Role.ADMIN))

    response = client.get("/leads/import/")

    assert response.status_code == 403


# --- Web: batch report ----------------------------------------------------------------------
def _batch(store, rows: int) -> ImportBatch:
    return ImportBatch.objects.create(
        store=store, filename="leads.csv", imported=rows,
        rows=[{"row": n + 2, "result": "imported", "message": ""} for n in range(rows)])


@pytest.mark.parametrize("rows", [1, 3])
def test_import_detail_query_count(client, store, make_user, django_assert_num_queries, rows):
    client.force_login(make_user(Role.MARKETING))
    batch = _batch(store, rows)

    with django_assert_num_queries(4):
        response = client.get(f"/leads/import/{batch.pk}/")

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == rows


def test_import_detail_of_another_store_is_404(client, other_store, make_user):
    client.force_login(make_user(Role.MARKETING))
    foreign = _batch(other_store, 1)

    response = client.get(f"/leads/import/{foreign.pk}/")

    assert response.status_code == 404


def test_import_detail_is_forbidden_to_a_consultant(client, store, consultant):
    client.force_login(consultant)
    batch = _batch(store, 1)

    response = client.get(f"/leads/import/{batch.pk}/")

    assert response.status_code == 403


def test_import_detail_admin_sees_any_store(client, other_store, make_user):
    client.force_login(make_user(Role.ADMIN))
    batch = _batch(other_store, 1)

    response = client.get(f"/leads/import/{batch.pk}/")

    assert (response.status_code, response.context["batch"]) == (200, batch)


def test_import_detail_paginates_and_filters_rows(client, store, make_user):
    client.force_login(make_user(Role.MARKETING))
    rows = [{"row": n, "result": "error" if n % 2 else "imported", "message": ""}
            for n in range(2, 122)]
    batch = ImportBatch.objects.create(store=store, filename="big.csv", rows=rows)

    second = client.get(f"/leads/import/{batch.pk}/?page=3")
    errors = client.get(f"/leads/import/{batch.pk}/?result=error&page=2")
    unknown = client.get(f"/leads/import/{batch.pk}/?result=bogus")

    assert [row["row"] for row in second.context["page"].object_list] == list(range(102, 122))
    assert [row["row"] for row in errors.context["page"].object_list] == list(range(103, 122, 2))
    assert (unknown.context["result"], len(unknown.context["page"].object_list)) == ("", 50)


def test_import_detail_htmx_renders_the_rows_partial(client, store, make_user):
    client.force_login(make_user(Role.MARKETING))
    batch = _batch(store, 3)

    response = client.get(f"/leads/import/{batch.pk}/?result=imported", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="import-rows"')
    assert "<h1>" not in html
    assert "HX-Request" in [part.strip() for part in response["Vary"].split(",")]
