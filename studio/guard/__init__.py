"""Trust: what keeps personal data, hostile HTML and broken input from hurting the site.

- ``pii``: detectors (mobile, resident ID, bank card, WeChat ID, e-mail) and masking;
- ``scan``: the PII guard over a project's pages and data files (a project loader), and
  the ``mask:``/``drop:`` column rules applied to every table a block reads;
- ``html``: nh3 sanitising of page HTML; ``formulas``: CSV-injection-safe downloads;
- ``safeyaml``: YAML that fails only with a line; ``interrupt``: signal safety of builds.

Nothing is imported here, so that ``studio.config`` can import ``guard.options`` cheaply.
"""
