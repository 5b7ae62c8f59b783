"""Trust, as a library: what keeps personal data, hostile HTML and broken input from hurting
the site. Pure functions; no feature is imported here.

- ``pii``: detectors (mobile, resident ID, bank card, WeChat ID, e-mail) and masking;
- ``scan``: findings in pages and data files, and the ``mask:``/``drop:`` column rules;
- ``html``: nh3 sanitising of page HTML; ``formulas``: CSV-injection-safe downloads;
- ``safeyaml``: YAML that fails only with a line; ``interrupt``: signal safety of builds;
- ``options``: the ``pii:`` and ``html:`` option groups.
"""
