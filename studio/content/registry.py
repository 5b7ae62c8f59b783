"""Which content types exist, and which features load extra project data.

Each content module registers itself here, so adding a type is adding a module.
"""

from __future__ import annotations

from typing import Callable

from studio.content.base import FrontMatter, validate

_MODELS: dict[str, type[FrontMatter]] = {}
_LOADERS: list[Callable] = []


def register_model(model: type[FrontMatter]) -> type[FrontMatter]:
    _MODELS[model.kind] = model
    return model


def register_loader(loader: Callable) -> Callable:
    """A function ``loader(project)`` run after all documents are loaded."""
    if loader not in _LOADERS:
        _LOADERS.append(loader)
    return loader


def models() -> dict[str, type[FrontMatter]]:
    _import_all()
    return dict(_MODELS)


def project_loaders() -> list[Callable]:
    _import_all()
    return list(_LOADERS)


def _import_all() -> None:
    # Importing the package registers every built-in content type.
    import studio.content.types  # noqa: F401


__all__ = ["register_model", "register_loader", "models", "project_loaders", "validate"]
