"""ProperDocs, the maintained fork of MkDocs 1.6, as Studio's engine.

ProperDocs reads ``mkdocs.yml``, runs plugins of the ``mkdocs.plugins`` entry-point group and
themes written for MkDocs (Material included) by mapping every ``mkdocs.*`` module onto its
own through an import hook. Studio's MkDocs adapter therefore runs unchanged on it, once that
hook is active — before anything imports ``mkdocs``.
"""

from __future__ import annotations

import sys

from studio.errors import StudioError


def activate() -> None:
    """Make ``mkdocs.*`` imports resolve to ProperDocs' modules in this process."""
    if "properdocs.replacement" in sys.modules:
        return
    if any(name == "mkdocs" or name.startswith("mkdocs.") for name in sys.modules):
        raise StudioError("ProperDocs must be chosen before MkDocs is loaded in this process",
                          hint="run a separate `studio build --engine properdocs`")
    try:
        import properdocs.replacement  # noqa: F401  (the import hook)
    except ImportError:
        raise StudioError("the ProperDocs engine is not installed",
                          hint="pip install properdocs (the maintained fork of MkDocs 1.6)") from None
    import logging

    logging.getLogger("mkdocs").parent = logging.getLogger("properdocs")  # as ProperDocs' own CLI does
