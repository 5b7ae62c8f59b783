"""The folders feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .listing import folder_listings

FEATURE = Feature(name="folders", package=__package__, generators=(folder_listings,))
