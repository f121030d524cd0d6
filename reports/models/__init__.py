"""Reports' own tables: what the manager sets (targets, the working calendar, the
commission scheme, meeting notes, kiosk links) and what the jobs keep (daily report PDFs).
Figures themselves are never stored: they are computed by `reports.metrics`."""

from reports.models.commission import CommissionScheme, CommissionTier
from reports.models.daily import DailyReport
from reports.models.kiosk import KioskLink
from reports.models.meetings import MeetingNote
from reports.models.targets import ClosedDay, ReportSettings, Target

__all__ = ["ClosedDay", "CommissionScheme", "CommissionTier", "DailyReport", "KioskLink",
           "MeetingNote", "ReportSettings", "Target"]
