"""The courses feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .model import CourseFile, Lesson, load_courses
from .pages import course_pages, decorate_lesson

FEATURE = Feature(
    name="courses",
    package=__package__,
    models=(Lesson,),
    files={"course": CourseFile},  # course.yml
    loaders=(load_courses,),
    generators=(course_pages,),
    decorators={"lesson": decorate_lesson},
)
