"""Shared form and htmx helpers of the core: a service's refusal onto the form, the partial
an htmx request renders."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation
from django_htmx.middleware import HtmxDetails

from dealership.forms import apply_service_errors
from dealership.htmx import partial_template


class SlotForm(forms.Form):
    day = forms.CharField()
    time = forms.CharField()


def _bound() -> SlotForm:
    form = SlotForm({"day": "2026-05-01", "time": "10:00"})
    assert form.is_valid()
    return form


def test_apply_service_errors_puts_each_message_on_its_field_the_rest_on_top():
    form = _bound()

    apply_service_errors(form, ValidationError({"day": ["Closed on that day."],
                                                "vehicle": ["Not a demo car."]}))

    assert form.errors == {"day": ["Closed on that day."],
                           NON_FIELD_ERRORS: ["Not a demo car."]}
    assert form.data["day"] == "2026-05-01"  # what the user typed stays


def test_apply_service_errors_renames_fields_the_form_calls_otherwise():
    form = _bound()

    apply_service_errors(form, ValidationError({"slot_start": ["Taken."]}),
                         field_for={"slot_start": "time"})

    assert form.errors == {"time": ["Taken."]}


def test_apply_service_errors_without_a_field_goes_on_top():
    form = _bound()

    apply_service_errors(form, ValidationError(["Already closed.", "Ask the manager."]))

    assert form.errors == {NON_FIELD_ERRORS: ["Already closed.", "Ask the manager."]}


def test_partial_template_is_the_partial_for_htmx_and_the_page_otherwise():
    factory = RequestFactory()
    plain = factory.get("/")
    plain.htmx = HtmxDetails(plain)
    htmx = factory.get("/", headers={"HX-Request": "true"})
    htmx.htmx = HtmxDetails(htmx)

    assert partial_template(plain, "app/page.html", "rows") == "app/page.html"
    assert partial_template(htmx, "app/page.html", "rows") == "app/page.html#rows"


# --- Selects: the project's select.html writes select_option.html's markup in place ------------
def test_select_renders_each_option_as_select_option_html_would():
    widget = forms.Select(choices=[("", "---------"), ("a", "甲 & 乙"), ("b", '<b>"B"</b>')],
                          attrs={"id": "id_pick"})
    with translation.override("zh-hans"):
        html = widget.render("pick", "a")
        options = [option for _name, group, _index in widget.optgroups("pick", ["a"])
                   for option in group]
        alone = [render_to_string("django/forms/widgets/select_option.html",
                                  {"widget": option}) for option in options]

    # In the list's order, each option exactly as its own template renders it: the
    # translated prompt, the selected flag, escaped labels.
    positions = [html.index(option) for option in alone]
    assert positions == sorted(positions)
    assert len(alone) == 3 and "请选择" in alone[0] and "selected" in alone[1]
    assert "&lt;b&gt;" in alone[2]
