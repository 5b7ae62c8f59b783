"""Files Studio writes for other tools (calendar feeds, …)."""
