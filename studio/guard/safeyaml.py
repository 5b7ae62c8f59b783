"""YAML for user files that fails only with a marked error (and so a file line).

PyYAML's safe loader still raises a bare ``ValueError`` for an impossible date
(``updated: 2024-02-30``), a ``ReaderError`` without a line for a control character, and
``RecursionError`` for absurd nesting. Everything Studio parses from users goes through
:func:`compose_and_load`, which turns each into a ``yaml.MarkedYAMLError`` with a mark, so
callers' ``except yaml.MarkedYAMLError`` report ``file:line`` instead of a traceback.
"""

from __future__ import annotations

from typing import Any

import yaml


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose constructors fail with a marked error."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a valid date (日期无效)", node.start_mark) from None


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)


def _mark(text: str, position: int) -> yaml.Mark:
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    return yaml.Mark("<text>", position, line, column, None, None)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of ``text``; raises MarkedYAMLError only."""
    try:
        return yaml.compose(text, Loader=SafeLoader), yaml.load(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError:
        raise
    except yaml.reader.ReaderError as exc:
        raise yaml.MarkedYAMLError(problem=f"character {exc.character!r} is not allowed in YAML",
                                   problem_mark=_mark(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise yaml.MarkedYAMLError(problem=str(exc), problem_mark=_mark(text, 0)) from None
    except RecursionError:
        raise yaml.MarkedYAMLError(problem="nested too deeply", problem_mark=_mark(text, 0)) from None


def load(text: str) -> Any:
    return compose_and_load(text)[1]
