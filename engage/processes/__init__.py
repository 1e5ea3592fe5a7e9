"""Participation processes (Beteiligungsverfahren) with phases, owned by a department."""
