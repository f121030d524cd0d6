"""The store's lead policy form: cadences, escalation times and the reactivation text."""

from __future__ import annotations

import string

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from leads.models import LeadPolicy

REACTIVATION_PLACEHOLDERS = ("name", "store", "consultant")


# The policy's numbers are small integers on PostgreSQL; SQLite would store more, and a
# cadence of millions of days overflows the date arithmetic of every later touch.
POLICY_NUMBER_MAX = 32767


class PolicyForm(forms.ModelForm):
    class Meta:
        model = LeadPolicy
        fields = ["cadence_a_days", "cadence_b_days", "cadence_c_per_month",
                  "first_contact_minutes", "remind_owner_after_minutes",
                  "alert_supervisor_after_minutes", "reassign_after_minutes",
                  "dormant_after_days", "pool_after_days", "messages_per_week",
                  "reactivation_text"]
        widgets = {"reactivation_text": forms.Textarea(attrs={"rows": 3, "maxlength": 300})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                field.max_value = POLICY_NUMBER_MAX
                field.validators.append(MaxValueValidator(POLICY_NUMBER_MAX))
                field.widget.attrs["max"] = str(POLICY_NUMBER_MAX)

    def clean_reactivation_text(self) -> str:
        text = self.cleaned_data["reactivation_text"].strip()
        try:
            names = [name for _literal, name, _spec, _conv in string.Formatter().parse(text)
                     if name is not None]
        except ValueError:
            raise forms.ValidationError(_("A brace is not closed: write placeholders as "
                                          "{name}, {store} or {consultant}.")) from None
        unknown = sorted({name for name in names if name not in REACTIVATION_PLACEHOLDERS})
        if unknown:
            raise forms.ValidationError(
                _("Unknown placeholder: %(names)s. Use {name}, {store} or {consultant}."),
                params={"names": ", ".join("{" + name + "}" for name in unknown)})
        return text

    def clean(self):
        cleaned = super().clean()
        remind = cleaned.get("remind_owner_after_minutes")
        alert = cleaned.get("alert_supervisor_after_minutes")
        reassign = cleaned.get("reassign_after_minutes")
        if None not in (remind, alert) and not remind < alert:
            self.add_error("alert_supervisor_after_minutes", _(
                "Alert the supervisor later than the owner is reminded."))
        if None not in (alert, reassign) and not alert < reassign:
            self.add_error("reassign_after_minutes", _(
                "Reassign later than the supervisor is alerted."))
        return cleaned
