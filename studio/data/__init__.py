"""Data files beside pages, as a library: reading (``reader``), dataset kinds (``kinds``),
metric definitions (``kpi``) and number formatting (``format``). It imports no feature and
applies no project's rules: pages reach data through ``studio.core.datafiles``."""
