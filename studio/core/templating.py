"""The Jinja2 environment of one project: every feature's ``templates/`` folder, in order.

Each feature keeps its templates beside its code; the project's registry lists their
packages, and this environment searches them in the order the features are listed (then
Studio's own ``studio/templates`` for the scaffolds of plain pages). Templates may include
one another across features (a persona fact box includes the post-mix bars).
"""

from __future__ import annotations

from typing import Iterable

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined, Template, select_autoescape

from studio.data.format import number


class Templates:
    """Render templates by name (``persona_index.md.j2``) for one project."""

    def __init__(self, packages: Iterable[str]):
        loaders = [PackageLoader(p, "templates") for p in packages] + [PackageLoader("studio", "templates")]
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(["html", "j2"], default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["number"] = number

    def get(self, name: str) -> Template:
        return self.env.get_template(name)

    def render(self, name: str, **context) -> str:
        return self.env.get_template(name).render(**context)
