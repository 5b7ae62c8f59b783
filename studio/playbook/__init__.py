"""Playbook checks (体检): the team's operating rules, run on every content calendar."""
