"""Translators, one module per op family; registry.py imports every module here."""
