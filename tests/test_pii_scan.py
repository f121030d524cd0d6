"""The response scanner (tests/pii_scan.py) finds what it must and nothing else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import path

from dealership.enums import Role
from tests.pii_scan import find_leak, roles_without_full_pii, scan_response

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", [
    "<td>13812345678</td>", "<a href=\"tel:+8613812345678\">", "138 1234 5678",
    "+86 138-1234-5678", "phone=%2B8613812345678", '{"phone": "008613812345678"}',
])
def test_find_leak_finds_a_mobile_number(text):
    assert find_leak(text)[0] == "mobile number"


@pytest.mark.parametrize("text", [
    "<dd>11010519491231002X</dd>", "ID 440301199001011234.", "id=11010519491231002x",
])
def test_find_leak_finds_an_id_number(text):
    assert find_leak(text)[0] == "ID number"


@pytest.mark.parametrize("text", [
    "138****5678", "1101**********002X", "4403**********1234",
    "13800138000", "+86 138 0013 8000",  # the public example number of the docs
    "1733456789123",  # a timestamp in milliseconds
    "¥13,812,345.67", "12812345678", "213812345678",  # too long, or no mobile prefix
    "LSVAU2180N2183294", "a3f91c13812345678e0",  # a VIN, a run inside a hash
    "csrf: Xy11010519491231002Xab", "1101051949123100212",  # inside a token, 19 digits
])
def test_find_leak_ignores_what_is_no_personal_number(text):
    assert find_leak(text) is None


def test_find_leak_ignores_the_number_the_viewer_sent():
    assert find_leak('<input value="138 1234 5678">', submitted={"8613812345678"}) is None
    assert find_leak('<input value="138 1234 5678">', submitted={"13900001111"}) is not None


def test_roles_without_full_pii_follow_the_role_permissions():
    assert roles_without_full_pii() == {Role.RECEPTIONIST, Role.MARKETING, Role.GROUP_EXEC}


def _served(response, user, path="/somewhere/?q=1", **data):
    request = RequestFactory().post(path, data) if data else RequestFactory().get(path)
    request.user = user
    if data:
        request.POST  # noqa: B018  (parsed, as the view would have)
    response.wsgi_request = request
    leaks = []
    scan_response(response, leaks.append)
    return leaks


def test_scan_reports_a_page_served_to_a_receptionist(make_user):
    leaks = _served(HttpResponse("<td>13812345678</td>"), make_user(Role.RECEPTIONIST))

    assert [(leak.kind, leak.found, leak.url) for leak in leaks] == [
        ("mobile number", "13812345678", "/somewhere/?q=1")]
    assert "receptionist" in str(leaks[0])


def test_scan_reports_json_served_to_an_anonymous_visitor():
    leaks = _served(JsonResponse({"id_number": "440301199001011234"}), AnonymousUser())

    assert [leak.viewer for leak in leaks] == ["anonymous"]


def test_scan_passes_a_consultant_and_the_administrator(consultant, make_user):
    page = "<td>13812345678</td>"

    assert _served(HttpResponse(page), consultant) == []
    assert _served(HttpResponse(page), make_user(Role.ADMIN)) == []


def test_scan_passes_the_number_the_receptionist_typed(make_user):
    leaks = _served(HttpResponse('<input value="138 1234 5678">'),
                    make_user(Role.RECEPTIONIST), phone="13812345678")

    assert leaks == []


def test_scan_reads_a_streamed_csv_as_the_test_reads_it(make_user):
    response = StreamingHttpResponse(iter(["name,phone\n", "张三,13812345678\n"]),
                                     content_type="text/csv")
    leaks = _served(response, make_user(Role.MARKETING))

    assert leaks == []
    assert b"".join(response.streaming_content) == "name,phone\n张三,13812345678\n".encode()
    assert [leak.found for leak in leaks] == ["13812345678"]


def test_scan_skips_files_and_pdfs(make_user, tmp_path):
    stored = tmp_path / "contract.txt"
    stored.write_text("13812345678")
    receptionist = make_user(Role.RECEPTIONIST)

    pdf = HttpResponse(b"%PDF 13812345678", content_type="application/pdf")
    assert _served(pdf, receptionist) == []
    with stored.open("rb") as handle:
        assert _served(FileResponse(handle, content_type="text/plain"), receptionist) == []


def _leaking_view(request):
    return HttpResponse("<td>13812345678</td>")


urlpatterns = [path("leak/", _leaking_view)]


@pytest.mark.urls("tests.test_pii_scan")
def test_the_test_client_fails_a_test_served_a_leak(client, make_user):
    """The autouse fixture of tests/conftest.py wraps every test client."""
    client.force_login(make_user(Role.RECEPTIONIST))

    with pytest.raises(pytest.fail.Exception, match=(
            r"unmasked mobile number '13812345678' served to receptionist 'receptionist' "
            r"by GET /leak/\?x=1")):
        client.get("/leak/?x=1")


@pytest.mark.urls("tests.test_pii_scan")
def test_the_test_client_passes_a_consultant(client, consultant):
    client.force_login(consultant)

    assert client.get("/leak/").content == b"<td>13812345678</td>"
