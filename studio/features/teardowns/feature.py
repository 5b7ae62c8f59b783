"""The teardowns feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .model import Teardown
from .pages import fact_box, teardown_block, teardown_pages

FEATURE = Feature(
    name="teardowns",
    package=__package__,
    models=(Teardown,),
    generators=(teardown_pages,),
    blocks={"teardown": teardown_block},
    decorators={"teardown": fact_box},
)
