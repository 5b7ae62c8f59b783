"""Periodic reports (周报/月报): the model and its data, periods, per-period numbers, the
written summary and the period pages."""
