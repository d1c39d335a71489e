"""Helpers shared by the user-facing layers (the ``ovn`` command and the notebook magics)."""
