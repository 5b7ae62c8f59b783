"""Safe HTML: every page's HTML goes through nh3 (the Rust ``ammonia`` sanitizer).

Raw HTML in Markdown keeps working for layout (divs, spans, tables, classes, styles,
details, inline SVG), but ``<script>``, inline event handlers (``onclick=``),
``javascript:`` URLs and resources loaded from other hosts are removed unless the
``html:`` options allow them. The site is read by the whole company: a snippet pasted
from the web must not run in everyone's browser, nor call home.

Studio's own block output (charts may carry an inline ``<script>``) is sealed by
:func:`seal` with a per-process nonce that authors cannot guess; sealed HTML keeps its
scripts but still loses event handlers, ``javascript:`` URLs and outside resources.
"""

from __future__ import annotations

import re
import secrets
from html import escape as html_escape, unescape as html_unescape
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import nh3

from studio.errors import StudioError
from studio.guard.options import HtmlOptions

_NONCE = secrets.token_hex(8)
_SEALED = re.compile(rf"<!--studio-block:{_NONCE}-->(.*?)<!--/studio-block:{_NONCE}-->", re.DOTALL)
_SLOT = "studio-slot"

# Layout tags beyond nh3's defaults: Material's tabs and task lists use input/label.
_SVG_TAGS = {"svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "text",
             "tspan", "defs", "lineargradient", "radialgradient", "stop", "title", "desc", "symbol", "clippath"}
EXTRA_TAGS = {"section", "main", "address", "picture", "source", "video", "audio", "track", "input", "label",
              "meter", "progress", "figure", "figcaption", "caption", "tfoot"} | _SVG_TAGS
GENERIC_ATTRIBUTES = {"class", "id", "style", "title", "lang", "dir", "role", "hidden", "tabindex", "align",
                      "width", "height"}
TAG_ATTRIBUTES = {
    "a": {"href", "target", "rel", "name", "download", "hreflang"},
    "img": {"src", "srcset", "sizes", "alt", "loading", "decoding"},
    "input": {"type", "checked", "disabled", "name", "value", "readonly"},
    "label": {"for"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "details": {"open"}, "time": {"datetime"}, "data": {"value"},
    "meter": {"value", "min", "max", "low", "high", "optimum"}, "progress": {"value", "max"},
    "video": {"src", "poster", "controls", "preload", "loop", "muted", "playsinline"},
    "audio": {"src", "controls", "preload", "loop", "muted"},
    "source": {"src", "srcset", "type", "media", "sizes"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "script": {"type", "id", "src", "defer", "async"},
    _SLOT: {"data-slot"},
}
_SVG_ATTRIBUTES = {"viewBox", "xmlns", "fill", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
                   "stroke-dasharray", "fill-opacity", "stroke-opacity", "opacity", "d", "cx", "cy", "r",
                   "rx", "ry", "x", "y", "x1", "y1", "x2", "y2", "points", "transform", "offset",
                   "stop-color", "stop-opacity", "gradientUnits", "text-anchor", "font-size", "font-weight",
                   "preserveAspectRatio", "clip-path", "fill-rule", "clip-rule", "dominant-baseline"}
for _tag in _SVG_TAGS:
    TAG_ATTRIBUTES.setdefault(_tag, set()).update(_SVG_ATTRIBUTES)

_URL_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "action", "formaction"}
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)
_CSS_LOAD = re.compile(r"url\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding", re.IGNORECASE)
_DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def escape_text(value: str) -> str:
    """Text from front matter or data, safe in HTML text and in quoted attributes alike.

    Engines' templates print page titles, descriptions and navigation labels unescaped;
    Studio hands them escaped text. Already-escaped text is not escaped twice.
    """
    return html_escape(html_unescape(value), quote=True)


# Front-matter keys engines read as settings, not as text to print.
STRUCTURAL_META = frozenset({"template", "hide", "search", "status", "icon", "pii", "type", "draft", "comments"})


def escaped_meta(meta: dict) -> dict:
    """Front matter with every text value escaped for HTML (the engines' templates print
    ``page.meta`` values — title, description, subtitle, tags … — without escaping)."""
    def esc(value):
        if isinstance(value, str):
            return escape_text(value)
        if isinstance(value, list):
            return [esc(v) for v in value]
        if isinstance(value, dict):
            return {k: esc(v) for k, v in value.items()}
        return value
    return {k: (v if k in STRUCTURAL_META else esc(v)) for k, v in meta.items()}


def seal(html: str) -> str:
    """Mark HTML that Studio generated (a block's output, a chart): it may keep its scripts.

    Sealing sealed HTML changes nothing.
    """
    if html.startswith(f"<!--studio-block:{_NONCE}-->") and html.endswith(f"<!--/studio-block:{_NONCE}-->"):
        return html
    return f"<!--studio-block:{_NONCE}-->\n\n{html}\n\n<!--/studio-block:{_NONCE}-->"


def keyable(html: str) -> str:
    """``html`` with this process's seal nonce replaced by a fixed marker, for cache keys.

    Without it every page that holds a block (a fact box, a chart) had a new key in every
    process, so the sanitised-page cache only ever hit inside one ``studio serve``. The marker
    holds a NUL, which no authored page reaches the sanitiser with, so an author cannot
    write a key that a sealed page has.
    """
    return html.replace(_NONCE, "\0seal\0")


def reseal(html: str) -> str:
    """:func:`keyable`'s text with this process's nonce back in its seals: HTML kept across
    builds (the rendered-page cache). Only text that held no NUL before :func:`keyable` may
    come back this way, or an author's NUL marker would turn into a seal."""
    return html.replace("\0seal\0", _NONCE)


def is_external(url: str) -> bool:
    """A URL that makes the browser fetch from another host (``data:`` stays local)."""
    url = url.strip()
    return bool(_EXTERNAL.match(url)) and not url.lower().startswith(("data:", "blob:", "#"))


@dataclass(frozen=True)
class Policy:
    """One set of nh3 settings; ``scripts`` keeps ``<script>`` elements (Studio's own HTML)."""

    scripts: bool
    extra_tags: tuple[str, ...] = ()
    extra_attributes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    extra_schemes: tuple[str, ...] = ()
    external: bool = False

    @classmethod
    def of(cls, options: HtmlOptions, scripts: bool = False) -> "Policy":
        return cls(
            scripts=scripts or "script" in options.allow_tags,
            extra_tags=tuple(sorted(t.lower() for t in options.allow_tags)),
            extra_attributes=tuple(sorted((k, tuple(sorted(v))) for k, v in options.allow_attributes.items())),
            extra_schemes=tuple(sorted(s.lower().rstrip(":") for s in options.allow_url_schemes)),
            external=options.allow_external,
        )

    def clean(self, html: str) -> str:
        tags, content_tags, attributes, schemes = _settings(self)
        out = nh3.clean(
            html, tags=tags, clean_content_tags=content_tags, attributes=attributes,
            attribute_filter=self._filter, url_schemes=schemes, link_rel=None,
            generic_attribute_prefixes={"data-", "aria-"}, strip_comments=True,
        )
        if not self.external and "<style" in out:
            # nh3's output is serialised HTML: a style element's text ends at its first </style>.
            out = _STYLE.sub(lambda m: "" if _CSS_LOAD.search(m.group(1)) else m.group(0), out)
        return out

    def _filter(self, tag: str, attribute: str, value: str) -> str | None:
        if self.external:
            return value
        if attribute == "style" and _CSS_LOAD.search(value):
            return None
        if attribute in _URL_ATTRIBUTES and any(is_external(part.split()[0]) for part in value.split(",") if part.strip()):
            return None
        return value


@lru_cache(maxsize=16)
def _settings(policy: Policy) -> tuple[set, set, dict, set]:
    # <style> stays for layout (a calendar's CSS-only filters); :meth:`Policy.clean` drops any
    # style element that would load something.
    tags = set(nh3.ALLOWED_TAGS) | EXTRA_TAGS | {_SLOT, "style"} | set(policy.extra_tags)
    content_tags = {"script"} - set(policy.extra_tags)
    if policy.scripts:
        tags |= {"script"}
        content_tags = set()
    else:
        tags -= {"script"}
    content_tags -= tags
    attributes: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in TAG_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    attributes.setdefault("*", set()).update(GENERIC_ATTRIBUTES)
    for tag, names in policy.extra_attributes:
        attributes.setdefault(tag.lower(), set()).update(names)
    for tag in content_tags:  # ammonia refuses attributes for tags it removes whole
        attributes.pop(tag, None)
    schemes = set(nh3.ALLOWED_URL_SCHEMES) | set(policy.extra_schemes)
    return tags, content_tags, attributes, schemes


def clean_page(html: str, options: HtmlOptions) -> str:
    """Sanitise a page's HTML; only sealed HTML (Studio's blocks and charts) keeps scripts.

    Generated pages are cleaned the same way: some carry authors' text (a course handout
    holds every lesson).
    """
    if not options.sanitize:
        return _SEALED.sub(lambda m: m.group(1).strip("\n"), html)
    blocks: list[str] = []

    def stash(m: re.Match) -> str:
        blocks.append(m.group(1).strip("\n"))
        return f'<{_SLOT} data-slot="{_NONCE}-{len(blocks) - 1}"></{_SLOT}>'

    text = _SEALED.sub(stash, html)
    own = Policy.of(options, scripts=True)
    text = Policy.of(options).clean(text)
    if not blocks:
        return text
    cleaned = [own.clean(b) for b in blocks]
    slot = re.compile(rf'<{_SLOT} data-slot="([0-9a-f]+)-(\d+)"></{_SLOT}>')

    def restore(m: re.Match) -> str:
        i = int(m.group(2))
        return cleaned[i] if m.group(1) == _NONCE and i < len(cleaned) else ""

    return slot.sub(restore, text)


# Reporting -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Removal:
    """Something the sanitiser takes out of a page, and a string to find it in the source."""

    what: str
    needle: str


class _Finder(HTMLParser):
    def __init__(self, policy: Policy) -> None:
        super().__init__(convert_charrefs=True)
        self.policy = policy
        self.tags = _settings(policy)[0]
        self.found: list[Removal] = []
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and not self.policy.external and _CSS_LOAD.search(data):
            self.found.append(Removal("<style> element that loads url()/@import", _CSS_LOAD.search(data).group()))

    def handle_endtag(self, tag):
        if tag == "style":
            self.in_style = False

    def handle_starttag(self, tag, attrs):
        if tag == _SLOT:
            return
        self.in_style = tag == "style"
        if tag in ("script", "style", "iframe", "object", "embed", "frame", "frameset", "form", "base", "meta", "link") \
                and tag not in self.tags:
            self.found.append(Removal(f"<{tag}> element", f"<{tag}"))
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and name not in dict(self.policy.extra_attributes).get(tag, ()) \
                    and name not in dict(self.policy.extra_attributes).get("*", ()):
                self.found.append(Removal(f"event handler '{name}' on <{tag}>", name))
            elif name in ("href", "src", "action", "formaction", "xlink:href") and \
                    value.strip().lower().startswith(_DANGEROUS_SCHEMES) and \
                    value.strip().lower().split(":")[0] not in self.policy.extra_schemes:
                self.found.append(Removal(f"{value.strip().split(':')[0].lower()}: URL on <{tag}>",
                                          value.strip()[:20]))
            elif not self.policy.external and name in _URL_ATTRIBUTES and is_external(value):
                self.found.append(Removal(f"outside resource {name}= on <{tag}> (the site loads nothing from other hosts)",
                                          value.strip()[:40]))
            elif not self.policy.external and name == "style" and _CSS_LOAD.search(value):
                self.found.append(Removal(f"style with url()/import on <{tag}>", _CSS_LOAD.search(value).group()))


def removals(html: str, options: HtmlOptions) -> list[Removal]:
    """What :func:`clean_page` would take out of an author's page (sealed blocks excepted)."""
    if not options.sanitize:
        return []
    finder = _Finder(Policy.of(options))
    finder.feed(_SEALED.sub("", html))
    finder.close()
    seen, out = set(), []
    for r in finder.found:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


def locate(needle: str, source: str) -> int | None:
    """1-based line of ``needle`` in a Markdown source (case-insensitive), if it is there."""
    i = source.lower().find(needle.lower())
    return source.count("\n", 0, i) + 1 if i >= 0 else None


def guard_page(html: str, options: HtmlOptions, *, generated: bool = False,
               source: str | Path | None = None) -> tuple[str, list[StudioError]]:
    """A page's sanitised HTML, and a warning for each thing taken out of the author's HTML.

    Pages Studio ``generated`` get no warnings: what they repeat is reported at its source.
    """
    problems: list[StudioError] = []
    if not generated:
        text = None
        if source:
            try:
                text = Path(source).read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                text = None
        for r in removals(html, options):
            problems.append(StudioError(
                f"removed {r.what} from the page's HTML", file=source, line=locate(r.needle, text) if text else None,
                severity="warning", rule="html",
                hint="Studio removes scripts, event handlers, javascript: links and outside resources from pages; "
                     "if you trust it, allow it under 'html:' in the studio plugin options "
                     "(e.g. allow_tags, allow_attributes, allow_url_schemes, allow_external)"))
    return clean_page(html, options), problems
