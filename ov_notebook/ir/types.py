"""Element types of the OpenVINO operation set and their numpy counterparts."""
from __future__ import annotations

import numpy as np

from ._flags import flag

__all__ = ["Type", "pack_values", "unpack_values", "packed_byte_size"]


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
        self.is_quantized = name in ("i8", "u8", "i32", "i4", "nf4")


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
    # packed (sub-byte) types: numpy holds them unpacked, one value per byte (nf4: its 4-bit codes)
    _TypeSpec("u1", "BIN", 1, False, False, np.uint8, "uint1_t"),
    _TypeSpec("u4", "U4", 4, False, False, np.uint8, "uint4_t"),
    _TypeSpec("i4", "I4", 4, False, True, np.int8, "int4_t"),
    _TypeSpec("nf4", "NF4", 4, False, False, np.uint8, "nfloat4"),
]

# The 16 values of the NF4 (normal float 4) codes, as OpenVINO's ConvertNF4 dequantizes them.
NF4_VALUES = np.array([
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
    0.7229568362236023, 1.0], dtype=np.float32)

# Alternative spellings accepted when a type is made from a string.
_ALIASES = {
    "undefined": "dynamic", "unspecified": "dynamic", "bool": "boolean", "char": "boolean",
    "float16": "f16", "half": "f16", "float32": "f32", "float": "f32", "float64": "f64",
    "double": "f64", "double64": "f64", "bfloat16": "bf16", "int8": "i8", "int16": "i16",
    "int32": "i32", "int64": "i64", "uint8": "u8", "uint16": "u16", "uint32": "u32",
    "uint64": "u64", "fp16": "f16", "fp32": "f32", "fp64": "f64", "uint1_t": "u1",
    "uint4_t": "u4", "int4_t": "i4", "nfloat4": "nf4",
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

    @property
    def is_packed(self) -> bool:
        """Several values share a byte (u1, u4, i4, nf4); OpenVINO's ``element::is_split_bit_type``
        and nibble types."""
        return self._spec.bitwidth < 8 and self._spec.name != "dynamic"

    def to_dtype(self) -> np.dtype:
        """The numpy dtype values of this type are stored in (bf16 is stored as raw uint16; packed
        types unpacked, one value per byte, as OpenVINO's ``Type.to_dtype`` says)."""
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
    if _spec.dtype is not None and _spec.name != "bf16" and _spec.bitwidth >= 8:
        Type._by_dtype[_spec.dtype] = _type
    setattr(Type, _spec.name, _type)
Type._by_precision["FP16"] = Type.f16
Type.undefined = Type.dynamic
del _spec, _type


# --- packed (sub-byte) storage, as OpenVINO lays it out ------------------------------------
# u4/i4/nf4: two values per byte, the first in the low nibble; u1: eight per byte, the first in
# the most significant bit.

def packed_byte_size(element_type: Type, count: int) -> int:
    """Bytes that ``count`` values of ``element_type`` take in a tensor or a ``.bin``."""
    return (int(count) * element_type.bitwidth + 7) // 8


def pack_values(values: np.ndarray, element_type: Type) -> np.ndarray:
    """Unpacked values (one per byte, range already checked) -> the packed bytes (uint8)."""
    flat = np.ascontiguousarray(values).reshape(-1).astype(np.uint8)
    if element_type is Type.u1:
        return np.packbits(flat & 1, bitorder="big")
    nibbles = flat & 0x0F
    if nibbles.size % 2:
        nibbles = np.append(nibbles, np.uint8(0))
    return (nibbles[0::2] | (nibbles[1::2] << 4)).astype(np.uint8)


def unpack_values(raw: np.ndarray, element_type: Type, shape) -> np.ndarray:
    """Packed bytes -> the values of ``shape``, one per byte (i4 sign-extended into int8)."""
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.ascontiguousarray(raw).reshape(-1).view(np.uint8)
    if raw.size < packed_byte_size(element_type, count):
        raise ValueError(f"{raw.size} bytes hold fewer than the {count} {element_type} values of "
                         f"shape {list(shape)} ({packed_byte_size(element_type, count)} bytes)")
    if element_type is Type.u1:
        values = np.unpackbits(raw, bitorder="big")[:count]
    else:
        values = np.empty(raw.size * 2, np.uint8)
        values[0::2], values[1::2] = raw & 0x0F, raw >> 4
        values = values[:count]
    if element_type is Type.i4:
        values = ((values.astype(np.int8) << 4) >> 4).astype(np.int8)
    return values.reshape(tuple(int(d) for d in shape))
