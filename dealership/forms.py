from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dealership.enums import Language, Powertrain, Role
from dealership.masking import mask_id_number, mask_phone
from dealership.models import Customer, Series, User
from dealership.services.catalogue import (
    EARLIEST_MODEL_YEAR,
    MAX_MSRP,
    MAX_SEATS,
    MAX_SURCHARGE,
)
from dealership.validators import ensure_within, normalize_id_number, normalize_phone


class ConsultantFilterMixin(forms.Form):
    """A list's "whose" filter: the store's selling staff to choose from; a consultant's
    lists are their own already, so the field is left out for them."""

    consultant = forms.ModelChoiceField(label=_("Consultant"), required=False,
                                        queryset=User.objects.none(),
                                        empty_label=_("Everyone"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.CONSULTANT:
            del self.fields["consultant"]
        else:
            self.fields["consultant"].queryset = User.objects.filter(
                store_id=user.store_id, role__in=(Role.CONSULTANT, Role.SUPERVISOR),
                is_active=True).order_by("name")


def refusal_status(error: ValidationError) -> int:
    """The status of a service's refusal: input to fix (a message naming its field) is 400;
    a refusal of the step itself, naming no field (the object moved on, someone else acted
    first), is 409."""
    return 400 if hasattr(error, "error_dict") else 409


def apply_service_errors(form: forms.Form, error: ValidationError, *,
                         field_for: Mapping[str, str] | None = None) -> None:
    """Show a service's refusal on the form that collected the input: each message on the
    field it names (renamed through `field_for` where the form calls it otherwise), the
    rest, and a refusal that names no field, above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        name = (field_for or {}).get(name, name)
        form.add_error(name if name in form.fields else None, messages)


class _RangeMixin:
    """A form field with a business range (issue 10), set per form instance by
    `set_range()` because the bounds usually depend on the store's day. The browser gets
    `min`/`max` as a hint; the server decides (and the service checks again)."""

    earliest = None
    latest = None

    def set_range(self, earliest=None, latest=None) -> None:
        self.earliest, self.latest = earliest, latest
        for name, bound in (("min", earliest), ("max", latest)):
            if bound is None:
                self.widget.attrs.pop(name, None)
            elif isinstance(bound, dt.datetime):
                self.widget.attrs[name] = timezone.localtime(bound).strftime("%Y-%m-%dT%H:%M")
            else:
                self.widget.attrs[name] = bound.isoformat()

    def validate(self, value) -> None:
        super().validate(value)
        ensure_within(value, earliest=self.earliest, latest=self.latest)


class BoundedDateField(_RangeMixin, forms.DateField):
    """A date a person types, with its business range (`set_range(earliest, latest)`)."""


class BoundedDateTimeField(_RangeMixin, forms.DateTimeField):
    """A time a person types, with its business range (aware datetimes)."""


class MaskedOnEditMixin:
    """An edit form never shows a stored personal number in full (issue 10).

    The input starts empty, with the masked number as its placeholder: left empty it keeps
    the stored number, typed it replaces it. Seeing a number in full is the audited
    "show full numbers" of the detail page, never a side effect of opening a form.
    Call `mask_stored_values()` at the end of `__init__`; `kept_value()` in `clean_<field>`.
    """

    masked_fields: ClassVar[dict[str, Callable[[str], str]]] = {}

    def mask_stored_values(self) -> None:
        self.kept: dict[str, str] = {}
        for name, mask in self.masked_fields.items():
            stored = self.initial.get(name) or ""
            if not stored or name not in self.fields:
                continue
            self.kept[name] = stored
            self.initial[name] = ""
            field = self.fields[name]
            field.required = False
            field.widget.attrs["placeholder"] = mask(stored)
            field.help_text = _("Leave empty to keep %(masked)s, or type a new number.") % {
                "masked": mask(stored)}

    def kept_value(self, name: str, value: str) -> str:
        """The typed value, or the stored one when the input was left empty."""
        return value if value else getattr(self, "kept", {}).get(name, value)


class CustomerForm(MaskedOnEditMixin, forms.ModelForm):
    """Create or edit a customer. Phone and ID number are normalised here, and shown
    masked when editing."""

    masked_fields = {"phone": mask_phone, "id_number": mask_id_number}

    class Meta:
        model = Customer
        fields = ["name", "phone", "gender", "city", "address", "id_number", "wechat_id",
                  "marketing_consent", "consent_source", "note"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["consent_source"].required = False
        if user.role != Role.CONSULTANT and user.store_id:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("Consultant"), required=False,
                queryset=User.objects.filter(store_id=user.store_id, role=Role.CONSULTANT,
                                             is_active=True).order_by("username"),
                initial=self.instance.owner_id if self.instance.pk else None,
            )
            if self.instance.pk:  # reassignment is the lead routing's job, not this form's
                self.fields["owner"].disabled = True
        if self.instance.pk:
            self.mask_stored_values()

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        if not value and "phone" in getattr(self, "kept", {}):
            return self.kept_value("phone", value)
        return normalize_phone(value)

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return self.kept_value("id_number", value)
        return normalize_id_number(value)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("marketing_consent") and not cleaned.get("consent_source"):
            self.add_error("consent_source", _("Say how the customer gave consent."))
        return cleaned

    def _post_clean(self):
        # Uniqueness and model validation are the service's job (it holds the lock).
        pass


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Interface language"), choices=Language.choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the username's length actually enforced. Django sets the
    field's max_length after building it, so no validator checks it, and django-axes then
    records an over-long name in its 255-character column: a 500 on PostgreSQL."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


# --- Data-subject requests (PIPL) ---------------------------------------------------------
class CustomerExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"),
                               choices=[("json", "JSON"), ("csv", "CSV")])


class CustomerEraseForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the customer's name to confirm"), max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}))


# --- Catalogue -----------------------------------------------------------------------------
class CatalogueForm(forms.Form):
    """A catalogue row's form. Editing carries the row's version as it was shown, so a
    save over someone else's newer change is refused (the service compares)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]


def _series_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Series"),
                                  queryset=Series.objects.select_related("brand"),
                                  empty_label=_("Choose a series"))


class TrimForm(CatalogueForm):
    series = _series_field()
    name = forms.CharField(label=_("Trim"), max_length=80)
    model_year = forms.IntegerField(label=_("Model year"), min_value=EARLIEST_MODEL_YEAR)
    powertrain = forms.ChoiceField(label=_("Powertrain"),
                                   choices=[("", _("Choose a powertrain")),
                                            *Powertrain.choices])
    msrp = forms.DecimalField(label=_("MSRP (CNY)"), max_digits=12, decimal_places=2,
                              min_value=Decimal("0.01"), max_value=MAX_MSRP)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=MAX_SEATS, initial=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = timezone.localdate().year + 2
        self.fields["model_year"].max_value = latest
        self.fields["model_year"].validators.append(MaxValueValidator(latest))
        self.fields["model_year"].widget.attrs["max"] = latest


class ColourForm(CatalogueForm):
    series = _series_field()
    name = forms.CharField(label=_("Name"), max_length=50)
    hex_code = forms.RegexField(
        label=_("Colour code"), regex=r"^#[0-9A-Fa-f]{6}$", required=False, max_length=7,
        help_text=_("Optional: # and six hex digits, e.g. #1A2B3C."),
        error_messages={"invalid": _("Enter # and six hex digits, e.g. #1A2B3C.")})
    surcharge = forms.DecimalField(label=_("Surcharge (CNY)"), max_digits=10,
                                   decimal_places=2, min_value=Decimal("0"),
                                   max_value=MAX_SURCHARGE, initial=Decimal("0"))
