"""Studio: a content studio and report generator for private-domain (私域) operations teams.

Data flow: content files -> a ``studio.core.project.Project`` (validated models, the registry
of its features from ``studio.features.builtin``, its data door) -> generated pages, rendered
blocks and assets (``studio.core.pipeline``) -> an engine adapter (``studio.engine``: MkDocs,
ProperDocs or Zensical) -> the output guard -> ``site/``. The core imports no feature and
no engine.
"""

__version__ = "0.1.0"
