"""The search feature, as the project's registry sees it.

The index itself is written after the engine has rendered every page (``SiteSearch``, run
by the engine adapters); what the registry holds is what any build needs first.
"""

from studio.core.feature import Feature

from .glossary import GlossaryFile, glossary_page, load_glossary
from .site import search_assets

FEATURE = Feature(
    name="search",
    package=__package__,
    files={"glossary": GlossaryFile},  # content/glossary.yml
    loaders=(load_glossary,),
    generators=(glossary_page, search_assets),
)
