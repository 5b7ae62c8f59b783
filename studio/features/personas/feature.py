"""The personas feature, as the project's registry sees it."""

from studio.core.feature import Feature

from .model import Persona, check_vocabulary
from .pages import fact_box, persona_block, persona_pages

FEATURE = Feature(
    name="personas",
    package=__package__,
    models=(Persona,),
    loaders=(check_vocabulary,),
    generators=(persona_pages,),
    blocks={"persona": persona_block},
    decorators={"persona": fact_box},
)
