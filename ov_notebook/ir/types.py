"""Element types of the OpenVINO operation set and their numpy counterparts."""
from __future__ import annotations

import numpy as np

from ._flags import flag

__all__ = ["Type"]


class _TypeSpec:
    __slots__ = ("name", "precision", "bitwidth", "is_real", "is_signed", "dtype", "cpp_name",
                 "is_quantized")

    def __init__(self, name, precision, bitwidth, is_real, is_signed, dtype, cpp_name):
        self.name = name
        self.precision = precision
        self.bitwidth = bitwidth
        self.is_real = is_real
        self.is_signed = is_signed
        self.dtype = None if dtype is None else np.dtype(dtype)
        self.cpp_name = cpp_name
        # OpenVINO's table: the types low-precision (quantized) kernels take
        self.is_quantized = name in ("i8", "u8", "i32")


# name, IR port precision, bits, real, signed, numpy storage dtype, OpenVINO's C++ name
_SPECS = [
    _TypeSpec("dynamic", "UNSPECIFIED", 0, False, False, None, "dynamic"),
    _TypeSpec("boolean", "BOOL", 8, False, True, np.bool_, "char"),
    _TypeSpec("bf16", "BF16", 16, True, True, np.uint16, "bfloat16"),
    _TypeSpec("f16", "FP16", 16, True, True, np.float16, "float16"),
    _TypeSpec("f32", "FP32", 32, True, True, np.float32, "float32"),
    _TypeSpec("f64", "FP64", 64, True, True, np.float64, "double64"),
    _TypeSpec("i8", "I8", 8, False, True, np.int8, "int8_t"),
    _TypeSpec("i16", "I16", 16, False, True, np.int16, "int16_t"),
    _TypeSpec("i32", "I32", 32, False, True, np.int32, "int32_t"),
    _TypeSpec("i64", "I64", 64, False, True, np.int64, "int64_t"),
    _TypeSpec("u8", "U8", 8, False, False, np.uint8, "uint8_t"),
    _TypeSpec("u16", "U16", 16, False, False, np.uint16, "uint16_t"),
    _TypeSpec("u32", "U32", 32, False, False, np.uint32, "uint32_t"),
    _TypeSpec("u64", "U64", 64, False, False, np.uint64, "uint64_t"),
]

# Alternative spellings accepted when a type is made from a string.
_ALIASES = {
    "undefined": "dynamic", "unspecified": "dynamic", "bool": "boolean", "char": "boolean",
    "float16": "f16", "half": "f16", "float32": "f32", "float": "f32", "float64": "f64",
    "double": "f64", "double64": "f64", "bfloat16": "bf16", "int8": "i8", "int16": "i16",
    "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16", "uint32": "u32",
    "uint64": "u64", "fp16": "f16", "fp32": "f32", "fp64": "f64",
}


class _TypeMeta(type):
    def __iter__(cls):
        return iter(cls._all)


class Type(metaclass=_TypeMeta):
    """An element type, e.g. ``Type.f32``.

    Made from its IR name, an IR precision or a numpy dtype::

        >>> Type("f32") is Type.f32, Type(np.int64) is Type.i64, Type("FP16") is Type.f16
        (True, True, True)
        >>> Type.boolean.get_type_name()
        'boolean'
    """

    __slots__ = ("_spec",)
    _all: list = []
    _by_name: dict = {}
    _by_precision: dict = {}
    _by_dtype: dict = {}

    def __new__(cls, value="dynamic"):
        if isinstance(value, Type):
            return value
        found = cls._lookup(value)
        if found is None:
            raise TypeError(
                f"unknown element type {value!r}; expected one of "
                f"{', '.join(t.get_type_name() for t in cls._all)} or a numpy dtype")
        return found

    @classmethod
    def _lookup(cls, value):
        if isinstance(value, str):
            key = value.strip()
            lower = key.lower()
            if lower in cls._by_name:
                return cls._by_name[lower]
            if lower in _ALIASES:
                return cls._by_name[_ALIASES[lower]]
            return cls._by_precision.get(key.upper())
        if value is None:  # np.dtype(None) would silently mean float64
            return None
        try:
            dtype = np.dtype(value)
        except TypeError:
            return None
        return cls._by_dtype.get(dtype)

    @classmethod
    def _make(cls, spec):
        self = object.__new__(cls)
        self._spec = spec
        return self

    # --- OpenVINO-compatible accessors -------------------------------------------------
    # The is_* predicates return Flags: OpenVINO calls them (``t.is_real()``), but code that
    # reads them as properties (``t.is_static``) must not get an always-true bound method.
    def get_type_name(self) -> str:
        return self._spec.name

    def to_string(self) -> str:
        return self._spec.name

    @property
    def type_name(self) -> str:
        return self._spec.name

    @property
    def precision(self) -> str:
        """The IR ``precision`` string of ports (``FP32``, ``I64``, ``BOOL``)."""
        return self._spec.precision

    @property
    def bitwidth(self) -> int:
        return self._spec.bitwidth

    @property
    def size(self) -> int:
        return (self._spec.bitwidth + 7) // 8

    def get_size(self) -> int:
        return self.size

    def get_bitwidth(self) -> int:
        return self._spec.bitwidth

    @property
    def is_real(self):
        return flag(self._spec.is_real)

    @property
    def is_integral(self):
        """Not a floating-point type (boolean included, as in OpenVINO)."""
        return flag(not self._spec.is_real and self._spec.name != "dynamic")

    @property
    def is_integral_number(self):
        """An integer type (boolean excluded)."""
        return flag(self.is_integral and self._spec.name != "boolean")

    @property
    def is_signed(self):
        return flag(self._spec.is_signed)

    @property
    def is_quantized(self):
        return flag(self._spec.is_quantized)

    @property
    def is_dynamic(self):
        return flag(self._spec.name == "dynamic")

    @property
    def is_static(self):
        return flag(self._spec.name != "dynamic")

    # OpenVINO's property spellings are plain bools (``Type.f32.real is True``); only the
    # ``is_*`` spellings, which OpenVINO calls, are Flags.
    @property
    def real(self) -> bool:
        return bool(self.is_real)

    @property
    def integral(self) -> bool:
        return bool(self.is_integral)

    @property
    def integral_number(self) -> bool:
        return bool(self.is_integral_number)

    @property
    def signed(self) -> bool:
        return bool(self.is_signed)

    @property
    def quantized(self) -> bool:
        return bool(self.is_quantized)

    def compatible(self, other) -> bool:
        other = Type(other)
        return self.is_dynamic or other.is_dynamic or self is other

    def merge(self, other) -> Type | None:
        """The more specific of two compatible types, or None when they conflict."""
        other = Type(other)
        if self.is_dynamic:
            return other
        if other.is_dynamic or other is self:
            return self
        return None

    def to_dtype(self) -> np.dtype:
        """The numpy dtype values of this type are stored in (bf16 is stored as raw uint16)."""
        if self._spec.dtype is None:
            raise TypeError(f"element type {self._spec.name} has no numpy dtype")
        return self._spec.dtype

    def __repr__(self):
        return f"<Type: '{self._spec.cpp_name}'>"

    def __str__(self):
        return self._spec.name

    def __reduce__(self):
        return (Type, (self._spec.name,))

    def __eq__(self, other):
        if isinstance(other, Type):
            return self is other
        if isinstance(other, str):
            found = Type._lookup(other)
            return found is self
        return NotImplemented

    def __hash__(self):
        return hash(self._spec.name)


for _spec in _SPECS:
    _type = Type._make(_spec)
    Type._all.append(_type)
    Type._by_name[_spec.name] = _type
    Type._by_precision[_spec.precision] = _type
    if _spec.dtype is not None and _spec.name != "bf16":
        Type._by_dtype[_spec.dtype] = _type
    setattr(Type, _spec.name, _type)
Type._by_precision["FP16"] = Type.f16
Type.undefined = Type.dynamic
del _spec, _type
