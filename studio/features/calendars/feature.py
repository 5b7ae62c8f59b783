"""The calendars feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .checkup import run_checkup
from .model import CALENDAR_KIND, CalendarFile, load_calendars
from .pages import calendar_pages

FEATURE = Feature(
    name="calendars",
    package=__package__,
    kinds=(CALENDAR_KIND,),
    files={"calendar": CalendarFile},  # content/calendars/*.yaml
    loaders=(load_calendars, run_checkup),  # the checks read the calendars just loaded
    generators=(calendar_pages,),
)
