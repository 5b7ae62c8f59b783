"""Training courses: course.yml and lessons, the 培训课程 pages, lesson headers and footers,
and the printable handout."""
