"""Provenance: every page says when it last changed (from git) and links to edit it and to
its history, as a team used to Feishu or Notion expects."""
