"""The reports feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .model import Report, load_reports
from .numbers import CALENDAR_METRICS
from .pages import decorate_report, report_pages

FEATURE = Feature(
    name="reports",
    package=__package__,
    models=(Report,),
    metrics=CALENDAR_METRICS,  # plan against actual, computed like any metric
    loaders=(load_reports,),  # after datasets and calendars (and their checks)
    generators=(report_pages,),
    decorators={"report": decorate_report},
)
