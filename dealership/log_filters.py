"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """A refused request (403, 404, 405...) is the user's mistake or a probe, not the
    app's: Django logs it with the exception's traceback, which buries the console under
    stack frames. Keep its one line ("Forbidden (Permission denied): /path") and drop the
    traceback; a 5xx keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
