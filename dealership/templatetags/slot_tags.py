"""`{% action_slot "lead_actions" lead=lead %}`: the buttons later stages add to a page."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from dealership.slots import slot_templates

register = template.Library()


@register.simple_tag(takes_context=True)
def action_slot(context: template.Context, slot: str, **values) -> SafeString:
    """Render the includes registered for `slot`, in order, each with the page's context
    and `values` (as `{% include %}` would), so the page names no stage's views."""
    engine = context.template.engine
    with context.push(**values):
        # Each part is a rendered template, escaped as it was rendered.
        return mark_safe("".join(engine.get_template(name).render(context)  # noqa: S308
                                 for name in slot_templates(slot)))
