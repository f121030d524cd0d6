"""The battery's own checks catch what they are for: a raw payload, a page's form fields,
a POST-taking URL. (A check that never fails proves nothing.)"""

from __future__ import annotations

import pytest
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape

from tests.hostile import harness
from tests.hostile.payloads import IMG_ONERROR, SCRIPT

pytestmark = pytest.mark.hostile

PAGE = """
<form method="post" action="/leads/7/touch/">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <select name="kind"><option value="">—</option><option value="call">Call</option></select>
  <select name="outcome"><option value="a">A</option><option value="b" selected>B</option></select>
  <input type="checkbox" name="urgent" value="1" checked>
  <input type="checkbox" name="quiet" value="1">
  <input type="radio" name="how" value="x"><input type="radio" name="how" value="y" checked>
  <textarea name="note">hello</textarea>
  <input type="file" name="photo">
  <button type="submit" name="decision" value="approve">OK</button>
</form>
<form method="post"><input name="q" value="1"></form>
"""


def test_form_for_reads_the_fields_a_browser_sends():
    form = harness.form_for(PAGE, "/leads/7/", "/leads/7/touch/")

    assert form["fields"] == {"decision": ["approve"], "kind": ["call"], "outcome": ["b"],
                              "urgent": ["1"], "how": ["y"], "note": ["hello"]}
    assert form["files"] == ["photo"]


def test_form_without_action_posts_to_its_page():
    assert harness.form_for(PAGE, "/search/", "/search/")["fields"] == {"q": ["1"]}
    assert harness.form_for(PAGE, "/leads/7/", "/leads/8/touch/") is None


@pytest.mark.parametrize("payload", [SCRIPT, IMG_ONERROR])
def test_reflection_check_fails_on_a_raw_payload(payload):
    with pytest.raises(AssertionError):
        harness.assert_no_raw_payload(HttpResponse(f"<p>{payload}</p>"), "test")


@pytest.mark.parametrize("payload", [SCRIPT, IMG_ONERROR])
def test_reflection_check_passes_an_escaped_payload_and_json(payload):
    harness.assert_no_raw_payload(HttpResponse(f"<p>{escape(payload)}</p>"), "test")
    harness.assert_no_raw_payload(JsonResponse({"name": payload}), "test")


def test_post_endpoints_are_named_with_their_namespace():
    endpoints = harness.post_endpoints()

    assert endpoints["leads:touch"] == "/leads/<int:pk>/touch/"
    assert endpoints["contracts:contract_sign"] == "/contracts/<int:pk>/sign/"
    assert "leads:claim" in endpoints  # require_POST
    assert "login" in endpoints  # a class-based view with post()
    assert "leads:list" not in endpoints  # require_safe
