"""The provenance feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .history import footer, load_history

FEATURE = Feature(name="provenance", loaders=(load_history,), decorators={"*": footer})
