"""Writes of the showroom stage: one function per change, each in a transaction."""

from showroom.services.floor import (
    NEEDS_FIELDS,
    RoutedBy,
    duty_set_state,
    objection_add,
    roster_set,
    talk_track_save,
    visit_add_phone,
    visit_close,
    visit_hand_over,
    visit_register,
)

__all__ = [
    "NEEDS_FIELDS", "RoutedBy", "duty_set_state", "objection_add", "roster_set",
    "talk_track_save", "visit_add_phone", "visit_close", "visit_hand_over", "visit_register",
]
