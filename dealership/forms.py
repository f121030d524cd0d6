from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership.enums import Language, Role
from dealership.models import Customer, User
from dealership.validators import normalize_id_number, normalize_phone


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


class CustomerForm(forms.ModelForm):
    """Create or edit a customer. Phone and ID number are normalised here."""

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

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        return normalize_id_number(value) if value else ""

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
