"""The pii feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .scan import guard_project

FEATURE = Feature(name="pii", loaders=(guard_project,))
