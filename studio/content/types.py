"""Built-in content types, registered in one place."""

from studio.content.persona import Persona
from studio.content.registry import register_model
from studio.content.teardown import Teardown

for _model in (Persona, Teardown):
    register_model(_model)
