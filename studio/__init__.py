"""Studio: a content studio and report generator for private-domain (私域) operations teams.

Data flow: content files -> validated models (``studio.content``) -> generated pages and
blocks (``studio.render``) -> a thin MkDocs adapter (``studio.engine``) that wires them in.
The core never imports mkdocs, so the engine can be swapped.
"""

__version__ = "0.1.0"
