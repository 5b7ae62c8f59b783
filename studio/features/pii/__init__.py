"""The PII guard over a project: every Markdown page and every data file that feeds the site."""
