"""Organisational backbone: districts (Stadtteile) and departments (Fachbereiche)."""
