"""YAML for user files that fails only with a marked error (and so a file line).

PyYAML's safe loader still raises a bare ``ValueError`` for an impossible date
(``updated: 2024-02-30``), a ``ReaderError`` without a line for a control character, and
``RecursionError`` for absurd nesting. Everything Studio parses from users goes through
:func:`compose_and_load`, which turns each into a ``yaml.MarkedYAMLError`` with a mark, so
callers' ``except yaml.MarkedYAMLError`` report ``file:line`` instead of a traceback.

It also refuses, with a mark, what YAML accepts but no content file needs:

- a document larger than :data:`MAX_BYTES` (2 MB);
- more than :data:`MAX_ALIASES` alias uses (``*name``), an expanded document of more than
  :data:`MAX_NODES` nodes, or an alias inside its own anchor: the "billion laughs" bomb
  stays a few kilobytes to parse instead of exhausting memory in whoever walks the tree;
- a key written twice in one mapping (YAML would silently keep the second value);
- a number that is not finite (``1.0e+999``, ``.inf``, ``.nan``) or has too many digits.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError

MAX_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 1_000
MAX_NODES = 100_000
_MERGE = "tag:yaml.org,2002:merge"
_ALIAS_HINT = "write the values out instead of repeating anchors (&name) and aliases (*name)"
_NUMBER_HINT = "write a number such as 1800000 or 1.8e6, or quote it as text (数值超出范围)"


class Refused(yaml.MarkedYAMLError):
    """What Studio refuses in YAML that parses: too big, a bomb, a duplicate key, a number
    that is not one. ``hint`` says what to do; callers may show it instead of their own."""

    def __init__(self, problem: str, mark: yaml.Mark, hint: str):
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose constructors fail with a marked error, with bounded work."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.aliases_used = 0
        self.first_line: int | None = None  # file line of the text's first line, for messages

    # Composing: count aliases -------------------------------------------------------------
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases_used += 1
            if self.aliases_used > MAX_ALIASES:
                raise Refused(f"more than {MAX_ALIASES:,} aliases (*name); Studio reads at most {MAX_ALIASES:,} "
                              "in one YAML document", self.peek_event().start_mark, _ALIAS_HINT + " (别名过多)")
        return super().compose_node(parent, index)

    # Constructing -------------------------------------------------------------------------
    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise ConstructorError(None, None, f"'{_short(node.value)}' is not a valid date (日期无效)",
                                   node.start_mark) from None

    def construct_yaml_float(self, node):
        try:
            value = super().construct_yaml_float(node)
        except (ValueError, OverflowError):
            value = math.nan
        if not math.isfinite(value):
            raise Refused(f"'{_short(node.value)}' is not a finite number", node.start_mark, _NUMBER_HINT)
        return value

    def construct_yaml_int(self, node):
        try:
            return super().construct_yaml_int(node)
        except (ValueError, OverflowError):  # Python refuses ints of more than 4,300 digits
            raise Refused(f"'{_short(node.value)}' has too many digits to be a number", node.start_mark,
                          _NUMBER_HINT) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:  # unhashable: BaseConstructor reports it
                    continue
                if first is not key_node:
                    raise Refused(f"duplicate key '{_short(str(key))}' ({self._first_at(first.start_mark, key_node.start_mark)})",
                                  key_node.start_mark, "YAML would keep only the last value: remove one of the two "
                                  "lines or merge them (同一个键只能写一次)")
        return super().construct_mapping(node, deep=deep)

    def _first_at(self, first: yaml.Mark, here: yaml.Mark) -> str:
        if self.first_line is not None:
            return f"first at line {first.line + self.first_line}"
        above = here.line - first.line
        if above <= 0:
            return "first on the same line"
        return f"first {above} line{'s' if above > 1 else ''} above"


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeLoader.construct_yaml_timestamp)
SafeLoader.add_constructor("tag:yaml.org,2002:float", SafeLoader.construct_yaml_float)
SafeLoader.add_constructor("tag:yaml.org,2002:int", SafeLoader.construct_yaml_int)


def _short(text: str, limit: int = 40) -> str:
    """A value as shown in a message: bounded (a file's contents are never echoed at length)."""
    text = str(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mark(text: str, position: int) -> yaml.Mark:
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    return yaml.Mark("<text>", position, line, column, None, None)


def _check_size(text: str) -> None:
    if len(text) * 4 <= MAX_BYTES:  # cheap: no character takes more than 4 bytes
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise Refused(f"YAML is {size / 1024 / 1024:.1f} MB; Studio reads at most {MAX_BYTES // 1024 // 1024} MB "
                      "of YAML per file", _mark(text, 0),
                      "move long lists to a CSV/Excel file beside it (YAML 文件过大)")


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a tree whose aliases expand past MAX_NODES nodes, or that contains itself."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise Refused("an alias (*name) is used inside its own anchor (&name): the value would contain itself",
                          node.start_mark, _ALIAS_HINT + " (别名循环引用)")
        open_.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise Refused(f"aliases (*name) expand this value past {MAX_NODES:,} values; Studio refuses it",
                              node.start_mark, _ALIAS_HINT + " (别名展开过大)")
        open_.discard(key)
        sizes[key] = total
        return total

    size(root)


_FULLWIDTH_KEY = re.compile(r"^[ \t]*(?:-[ \t]+)?(?P<key>[^\s:#'\"\-\[\]{}][^:#\n]*?)[ \t\u3000]*：", re.MULTILINE)
_FULLWIDTH_INDENT = re.compile(r"^[ \t]*\u3000", re.MULTILINE)


def _fullwidth(text: str, error_line: int) -> Refused | None:
    """Full-width punctuation that explains a YAML error: 「：」 after a key, 「　」 indenting.

    Only looked for once YAML failed: 「：」 is ordinary inside a value or a ``|`` block. The
    first such line at or before the line YAML stopped on is the one to fix.
    """
    for m in _FULLWIDTH_KEY.finditer(text):
        if text.count("\n", 0, m.start()) > error_line:
            break
        key = m.group("key").strip()
        return Refused(f"full-width colon '：' after '{_short(key)}': YAML needs an ASCII ':' and a space",
                       _mark(text, m.end() - 1),
                       f"write '{_short(key)}: …' (把全角冒号「：」改成半角冒号「:」，后面加空格)")
    m = _FULLWIDTH_INDENT.search(text)
    if m and text.count("\n", 0, m.start()) <= error_line:
        return Refused("full-width space '　' used for indentation", _mark(text, m.end() - 1),
                       "indent with ordinary spaces (把全角空格「　」换成半角空格)")
    return None


def compose_and_load(text: str, first_line: int | None = None) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the data of ``text``; raises MarkedYAMLError only.

    ``first_line`` is the file line of the text's first line; messages that name a second
    line (a duplicate key's first occurrence) use it, else they say how many lines above.
    """
    _check_size(text)
    try:
        loader = SafeLoader(text)
        try:
            loader.first_line = first_line
            node = loader.get_single_node()
            if node is None:
                return None, None
            if loader.aliases_used:
                _check_expansion(node)
            return node, loader.construct_document(node)
        finally:
            loader.dispose()
    except Refused:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        better = _fullwidth(text, mark.line if mark else len(text))
        if better is not None:
            raise better from None
        raise
    except yaml.reader.ReaderError as exc:
        raise yaml.MarkedYAMLError(problem=f"character {exc.character!r} is not allowed in YAML",
                                   problem_mark=_mark(text, exc.position)) from None
    except yaml.YAMLError as exc:
        raise yaml.MarkedYAMLError(problem=str(exc), problem_mark=_mark(text, 0)) from None
    except RecursionError:
        raise yaml.MarkedYAMLError(problem="nested too deeply", problem_mark=_mark(text, 0)) from None


def load(text: str, first_line: int | None = None) -> Any:
    return compose_and_load(text, first_line)[1]
