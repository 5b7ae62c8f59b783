"""Data files beside pages: reading (``reader``), schemas (``kinds``), KPIs (``kpi``)."""

from studio.data.kinds import Column, Kind, get_kind, kinds, register_kind
from studio.data.reader import Table, read_table

__all__ = ["Column", "Kind", "Table", "get_kind", "kinds", "read_table", "register_kind"]
