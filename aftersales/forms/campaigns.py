"""Segments and care campaigns: the segment filter, the campaign form, the send confirmation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.enums import CampaignKind, LoyaltySegment, NeedSegment, ValueSegment
from aftersales.models import CareCampaign
from leads.messaging import BODY_MAX_LENGTH


def _segment_field(label, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)


class SegmentFilterForm(forms.Form):
    """Which owners to show: none ticked in a kind means any."""

    value = _segment_field(_("Value"), ValueSegment.choices)
    need = _segment_field(_("Need"), NeedSegment.choices)
    loyalty = _segment_field(_("Loyalty"), LoyaltySegment.choices)

    def segment(self) -> dict[str, list[str]]:
        data = self.cleaned_data if self.is_valid() else {}
        return {kind: list(data.get(kind) or []) for kind in ("value", "need", "loyalty")}


class CampaignForm(SegmentFilterForm):
    name = forms.CharField(label=_("Campaign"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    template = forms.CharField(
        label=_("Message"), max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Up to 500 characters. {name}, {store} and {consultant} are replaced by "
                    "the customer's name, the store and their consultant."))

    field_order = ["name", "kind", "template", "value", "need", "loyalty"]

    def __init__(self, *args, campaign: CareCampaign | None = None, **kwargs):
        if campaign is not None:
            segment = campaign.segment or {}
            kwargs.setdefault("initial", {
                "name": campaign.name, "kind": campaign.kind, "template": campaign.template,
                **{kind: segment.get(kind) or [] for kind in ("value", "need", "loyalty")}})
        super().__init__(*args, **kwargs)
        for kind in ("value", "need", "loyalty"):
            self.fields[kind].help_text = _("None ticked: any.")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "kind": data["kind"], "template": data["template"],
                "segment": {kind: list(data.get(kind) or [])
                            for kind in ("value", "need", "loyalty")}}


class CampaignSendForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked the preview: send the message to these customers now."),
        error_messages={"required": _("Tick the box to confirm the sending.")})
