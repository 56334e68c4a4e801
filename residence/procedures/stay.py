"""Residence procedures (to be written): see residence/procedures/__init__.py."""

PLUGINS: list = []
