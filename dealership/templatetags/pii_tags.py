from django import template

from dealership.masking import format_phone, mask_id_number, mask_name, mask_phone

register = template.Library()

# The only ways a template shows personal data: masked, or formatted after an audited reveal.
register.filter("mask_phone", mask_phone)
register.filter("mask_id_number", mask_id_number)
register.filter("mask_name", mask_name)
register.filter("format_phone", format_phone)
