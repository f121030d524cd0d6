"""Forms of the lead intake: the API body (JSON) and the CSV upload.

The API form is fed the decoded JSON object as it is. Its fields take the raw JSON value
and refuse the wrong JSON type instead of coercing it (Django's own fields would turn
`123` into "123" and "yes" into True), so a client learns about its bug with a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership.models import Store
from dealership.validators import normalize_phone
from leads.enums import Channel, PurchaseWindow
from leads.models import Campaign

# PositiveIntegerField: the largest value every database backend stores.
MAX_BUDGET = 2_147_483_647
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class _RawJsonInput(forms.Widget):
    """Hand the field the JSON value untouched (None when the key is absent)."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data


def _check_encodable(value: str) -> None:
    # JSON may carry lone surrogates ("\ud800"), which no database can store as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(_("The text contains invalid characters."),
                              code="invalid") from None


class JsonCharField(forms.CharField):
    widget = _RawJsonInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators.append(_check_encodable)

    def to_python(self, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("Enter a text (a JSON string)."), code="type")
        return super().to_python(value)


class JsonChoiceField(forms.ChoiceField):
    widget = _RawJsonInput

    def to_python(self, value: Any) -> str:
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("Enter one of the listed codes (a JSON string)."),
                                  code="type")
        return super().to_python(value)


class JsonIntegerField(forms.IntegerField):
    widget = _RawJsonInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_BUDGET)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value is None:
            return None
        # bool is an int in Python, and 1e6 is a float: neither is a JSON integer.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(_("Enter a whole number (a JSON integer)."), code="type")
        return value


class JsonBooleanField(forms.Field):
    widget = _RawJsonInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValidationError(_("Enter true or false (a JSON boolean)."), code="type")
        return value


class LeadIntakeForm(forms.Form):
    """The body of POST /api/v1/leads (DESIGN §4). `channel` must be the key's channel."""

    name = JsonCharField(min_length=1, max_length=50, required=True)
    phone = JsonCharField(max_length=40, required=True)
    channel = JsonChoiceField(choices=Channel.choices)
    external_id = JsonCharField(max_length=64)
    model_interest = JsonCharField(max_length=100)
    purchase_window = JsonChoiceField(choices=PurchaseWindow.choices, required=False)
    budget_min = JsonIntegerField()
    budget_max = JsonIntegerField()
    city = JsonCharField(max_length=50)
    note = JsonCharField(max_length=1000)
    marketing_consent = JsonBooleanField()

    def __init__(self, data: dict, *, key_channel: str) -> None:
        super().__init__(data)
        self.key_channel = key_channel

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"]
        if channel != self.key_channel:
            raise ValidationError(
                _("This API key sends leads of the channel “%(channel)s” only."),
                code="channel_mismatch", params={"channel": self.key_channel})
        return channel

    def clean(self) -> dict:
        cleaned = super().clean()
        low, high = cleaned.get("budget_min"), cleaned.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", ValidationError(
                _("The budget's upper end is below its lower end."), code="budget_order"))
        return cleaned


def _has_upload_extension(name: str, *extensions: str) -> bool:
    return name.lower().rsplit(".", 1)[-1] in extensions if "." in name else False


class LeadImportForm(forms.Form):
    """Upload a CSV of leads, optionally for one of the store's campaigns."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 or GB18030, at most 5 MB, with the header row name, phone, "
                    "channel, model_interest, purchase_window, budget_min, budget_max, "
                    "city, note, created_at."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(),
                                      required=False, empty_label=_("No campaign"))

    def __init__(self, *args: Any, store: Store, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.for_store(store).order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; files of at most 5 MB can be imported. "
                  "Split it into smaller files."),
                code="too_big", params={"size": f"{upload.size / 1024 / 1024:.1f}"})
        if _has_upload_extension(upload.name, "xlsx", "xls", "numbers", "ods"):
            raise ValidationError(
                _("This is a spreadsheet file. Save it as “CSV (UTF-8)” and upload that."),
                code="spreadsheet")
        return upload
