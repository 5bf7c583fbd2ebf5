"""Rows become the typed model, with every problem found on the way."""
