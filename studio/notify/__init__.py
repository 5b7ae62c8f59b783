"""``studio notify report SLUG``: send one report period to the people who read it.

Channels are named by the report's front matter (``notify: {wecom: true, email: [...]}``);
the robot webhook and the mail server come from environment variables named by the
``notify`` plugin options, so no secret sits in the repository, the site or a cache.

- :mod:`.message` — the digest of a period (title, tiles, missed targets, coverage notes,
  link) from the same :class:`~studio.features.reports.numbers.PeriodNumbers` as the page,
  as WeCom markdown within the robot's 4096-byte limit or as plain text;
- :mod:`.wecom` — the group robot's webhook API (markdown, upload_media, file);
- :mod:`.mail` — the exported HTML as an e-mail body over SMTP, the PDF attached;
- :mod:`.state` — which period went to which channel (idempotence), written atomically;
- :mod:`.common` — masking of secrets in every line shown, and the channel error type;
- :mod:`.command` — the command itself.
"""
