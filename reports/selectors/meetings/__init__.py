"""The morning and the evening meeting boards (issue 13 §3; seed 003 清晨 and 傍晚).

Two read-only boards, each for one store-local `day`. The meeting pages, the wall screen
and the daily PDF are all built from `morning_board` and `evening_board`: every §3 figure in
them comes from `reports.metrics`, every month-to-date line from `reports.selectors.targets`.
People are `User` objects and customers `Customer` objects, unmasked: whoever shows them
masks them (the wall screen shows 张*伟, the pages show `customer.phone_masked` at most).

Both cost a fixed number of queries whatever the number of consultants or rows
(`MORNING_BOARD_QUERIES`, `EVENING_BOARD_QUERIES`; a store without an active consultant
skips the per-consultant queries).
"""

from reports.selectors.meetings.boards import (
    EVENING_BOARD_QUERIES,
    MORNING_BOARD_QUERIES,
    ChannelCount,
    ConsultantDay,
    ConsultantPlan,
    DayLine,
    EveningBoard,
    FigureRow,
    KeyCustomer,
    MorningBoard,
    Turnover,
)
from reports.selectors.meetings.evening import (
    evening_board,
)
from reports.selectors.meetings.morning import (
    morning_board,
)
from reports.selectors.meetings.notes import (
    meeting_day_range,
    meeting_note_get_for_user,
    meeting_notes,
)

__all__ = [
    "EVENING_BOARD_QUERIES",
    "MORNING_BOARD_QUERIES",
    "ChannelCount",
    "ConsultantDay",
    "ConsultantPlan",
    "DayLine",
    "EveningBoard",
    "FigureRow",
    "KeyCustomer",
    "MorningBoard",
    "Turnover",
    "evening_board",
    "meeting_day_range",
    "meeting_note_get_for_user",
    "meeting_notes",
    "morning_board",
]
