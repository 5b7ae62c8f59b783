"""Search options: ``plugins: - studio: {search: {...}}`` in mkdocs.yml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# Front-matter keys whose values are indexed as keywords of a page, for every content type
# (persona name, brand, tags …). Features with their own types add their keys here or in
# mkdocs.yml; a page can add more with ``search: {keywords: [...]}``.
DEFAULT_KEYS = [
    "title", "tags", "aliases", "keywords", "name", "brand", "brand_en", "industry", "role",
    "channels", "touchpoints", "life_tags", "work_tags", "owner", "persona", "campaign",
    "period", "kind", "category",
]


class SearchOptions(BaseModel):
    """How Studio indexes the site for Material's search box."""

    model_config = ConfigDict(extra="forbid")  # as studio.config.Options (not imported: cycle)

    enabled: bool = True
    # pagefind: chunked index, fast on big sites (needs http). lunr: Material's own index
    # (works from file://; chosen automatically when Material's offline plugin is on).
    engine: Literal["auto", "pagefind", "lunr"] = "auto"
    # extra dictionary terms, on top of Studio's domain dictionary and the glossary
    dictionary: list[str] = []
    # a glossary file under the content folder: terms for the dictionary and the 术语表 page
    glossary: str = "glossary.yml"
    keys: list[str] = DEFAULT_KEYS
    results: int = 10  # results shown per query (each one loads one page's snippet data)
