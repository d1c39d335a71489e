"""ReadValue and Assign: they read and write the request's variables (``runtime/state.py``),
which the plan passes to ``stateful`` steps as ``variables``."""
from __future__ import annotations

import numpy as np

from . import kernel


@kernel("ReadValue")  # ReadValue-6/-3: the variable's value, init_value (or zeros) while unset
def read_value(*init_value, variable_id, variables, variable_type=None, variable_shape=None):
    value = variables.get(variable_id)
    if value is None:
        return init_value[0] if init_value else variables.default(variable_id)
    view = value.view()  # read-only: no in-place kernel may change the stored state
    view.flags.writeable = False
    return view


@kernel("Assign")  # Assign-6/-3: stores a copy of new_value; the output is new_value
def assign(new_value, *, variable_id, variables):
    variables.set(variable_id, np.asarray(new_value))
    return new_value
