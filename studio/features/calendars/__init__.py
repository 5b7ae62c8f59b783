"""Content calendars: the model and its loading, the playbook checks (体检), festivals, the
calendar pages and their ICS feeds."""
