#!/usr/bin/python3
"""Regenerates tests/pickle/data/ (run with Debian's /usr/bin/python3, which has torch and numpy).

Everything here is written by Python's own pickler and torch's own tensor/storage reducers; the network
pickles copy the *format* of the official NVIDIA snapshots (spec section 7) using small module classes
written for this test and a short placeholder instead of module source code. No NVIDIA code is used.

    /usr/bin/python3 tests/pickle/make_pickle_data.py
"""
import collections
import copyreg
import io
import json
import math
import os
import pickle
import struct
import subprocess
import sys

if os.environ.get("PYTHONHASHSEED") != "0":  # fixed set/dict-of-str iteration order: reproducible files
    sys.exit(subprocess.call([sys.executable] + sys.argv, env=dict(os.environ, PYTHONHASHSEED="0")))

import torch  # noqa: E402

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
from fake_modules import PWNED, Network, fake_module  # noqa: E402 (after the re-exec)
from fake_networks import check_official_layout, expected_network, snapshot, stylegan3_generator  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


# --- plain values, every protocol ------------------------------------------------------------------------

def esc(data):
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else "\\x%02x" % b for b in data)


def canon(x, path=()):
    """Canonical text of a value; tests/pickle/pickle_test_util.h renders a pickle::Value the same way."""
    if id(x) in path:
        return "<cycle>"
    path = path + (id(x),)
    if x is None:
        return "None"
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        return "f:" + struct.pack(">d", x).hex()
    if isinstance(x, str):
        return 'u"' + esc(x.encode("utf-8")) + '"'
    if isinstance(x, bytes):
        return 'b"' + esc(x) + '"'
    if isinstance(x, bytearray):
        return 'ba"' + esc(bytes(x)) + '"'
    if isinstance(x, tuple):
        return "(" + ", ".join(canon(i, path) for i in x) + ")"
    if isinstance(x, list):
        return "[" + ", ".join(canon(i, path) for i in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(canon(k, path) + ": " + canon(v, path) for k, v in x.items()) + "}"
    if isinstance(x, frozenset):
        return "frozenset{" + ", ".join(canon(i, path) for i in x) + "}"
    if isinstance(x, set):
        return "set{" + ", ".join(canon(i, path) for i in x) + "}"
    raise TypeError(type(x))


def make_values():
    shared = [1, 2]
    recursive = []
    recursive.append(recursive)
    return {
        "none": None, "true": True, "false": False,
        "ints": [0, 1, -1, 255, 256, 65535, 65536, -129, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63, 2**63,
                 -2**63 - 1, 2**64, 0x1950a86a20f9469cfc6c, -(10**40), 10**100],
        "floats": [0.0, -0.0, 1.5, -2.25, 0.1, 1e300, 5e-324, math.inf, -math.inf, math.nan],
        "strings": ["", "abc", "\xe4\u20ac\U0001f600", "back\\slash", "new\nline", "quote'\"", "\x00\x7f\x80\xff",
                    "\\u0041 is not an escape", "y" * 300],
        "bytes": [b"", b"abc", bytes(range(256)), b"x" * 300],
        "bytearrays": [bytearray(), bytearray(b"\x00\xffab")],
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "nested": {"lists": [[], [[]]], "keys": {1: "one", (1, 2): "tuple key", None: "none", 2.5: "float"}},
        "sets": [set(), {1, 2, 3}, frozenset(), frozenset({"a", "b"})],
        "ordered": collections.OrderedDict([("x", 1), ("y", 2)]),
        "shared": [shared, shared],
        "recursive": recursive,
        "many": list(range(1200)),  # more than one APPENDS/SETITEMS batch of 1000
        "bigdict": {i: -i for i in range(1100)},
    }


# --- objects (placeholders), every protocol ---------------------------------------------------------------

class Plain:
    def __init__(self):
        self.a = 1
        self.b = [1, 2]


class WithNewArgs:
    def __reduce_ex__(self, proto):  # explicit __newobj__: NEWOBJ for protocol >= 2, a REDUCE below
        return copyreg.__newobj__, (type(self), 3, "x"), None


class WithKwargs:
    def __reduce_ex__(self, proto):  # NEWOBJ_EX for protocol >= 4, REDUCE(copyreg.__newobj_ex__) below 2
        return copyreg.__newobj_ex__, (type(self), (1,), {"k": 2}), None


class DictSub(dict):
    pass


class ListSub(list):
    pass


class WithItems:
    def __reduce__(self):
        return type(self), (), {"s": 1}, iter([10, 20]), iter([("k", "v")])


class Evil:
    def __reduce__(self):
        return os.system, ("touch " + PWNED,)


fake_module("stylescope_fake", Plain=Plain, WithNewArgs=WithNewArgs, WithKwargs=WithKwargs, DictSub=DictSub,
            ListSub=ListSub, WithItems=WithItems)


def make_objects():
    return {"plain": Plain(), "newargs": WithNewArgs(), "kwargs": WithKwargs(), "dictsub": DictSub(x=1),
            "listsub": ListSub([1, 2]), "items": WithItems(), "evil": Evil(), "class": Plain,
            "function": os.path.join}


# --- special network pickles ---------------------------------------------------------------------------------

class FakeTensor:
    """A tensor record around an arbitrary storage object (for storages torch would not write)."""

    def __init__(self, storage, numel=2):
        self.storage, self.numel = storage, numel

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, (self.storage, 0, (self.numel,), (1,), False, collections.OrderedDict())


class RawStorage:
    def __init__(self, payload):
        self.payload = payload

    def __reduce__(self):
        return torch.storage._load_from_bytes, (self.payload,)


def special_networks():
    out = {}
    snap = snapshot(4, 2)
    out["net_sg3.pkl"] = dict(snap, G=stylegan3_generator(), G_ema=stylegan3_generator())
    out["net_sg3_layers.pkl"] = dict(snap, G=stylegan3_generator(False), G_ema=stylegan3_generator(False))
    out["net_state_dict.pkl"] = {"G_ema": snap["G_ema"].state_dict()}
    out["net_other_dict.pkl"] = {"model": [1, 2], "optimizer": None}
    out["net_other_list.pkl"] = [1, 2, 3]
    out["net_not_generator.pkl"] = dict(snap, G_ema=snap["G_ema"].mapping, G=None)
    out["net_hostile_extra_key.pkl"] = dict(snap, evil=Evil())
    out["net_hostile_augment_pipe.pkl"] = dict(snap, augment_pipe=Evil(), training_set_kwargs=dict(evil=Evil()))
    out["net_hostile_root.pkl"] = dict(snap, G_ema=Evil())
    g = snapshot(4, 2)
    g["G_ema"].synthesis.b4._parameters["const"] = Evil()
    out["net_hostile_tensor.pkl"] = g
    g = snapshot(4, 2)
    g["G_ema"].synthesis._modules["b4"] = Evil()
    out["net_hostile_module.pkl"] = g
    g = snapshot(4, 2)
    g["G_ema"].mapping.__dict__["num_layers"] = Evil()
    out["net_hostile_attribute.pkl"] = g
    zipped = io.BytesIO()
    torch.save(torch.zeros(2).storage(), zipped)  # the default zip format
    g = snapshot(4, 2)
    g["G_ema"].synthesis.b4._parameters["const"] = FakeTensor(RawStorage(zipped.getvalue()))
    out["net_zip_storage.pkl"] = g
    return {name: pickle.dumps(obj, protocol=4) for name, obj in out.items()} | {
        "net_tf.pkl": pickle.dumps((Network("G"), Network("D"), Network("Gs")), protocol=3)}


# --- tensors of every dtype, strides, offsets, shared storages -----------------------------------------------

def dtype_tensors():
    torch.manual_seed(7)
    base = torch.arange(12, dtype=torch.float32)
    return collections.OrderedDict([
        ("f32", torch.randn(2, 3)), ("f16", torch.randn(5).half()), ("bf16", torch.randn(5).bfloat16()),
        ("f64", torch.randn(4).double()), ("i64", torch.arange(-3, 3)), ("i32", torch.arange(4, dtype=torch.int32)),
        ("i16", torch.arange(-2, 2, dtype=torch.int16)), ("i8", torch.arange(-2, 2, dtype=torch.int8)),
        ("u8", torch.arange(250, 254, dtype=torch.uint8)), ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(1.5)), ("empty", torch.zeros(0, 3)),
        ("channels_last", torch.randn(2, 3, 2, 2).contiguous(memory_format=torch.channels_last)),
        ("transposed", base.view(3, 4).t()), ("offset", base[5:9]), ("shared", base.view(4, 3)),
        ("param", torch.nn.Parameter(torch.randn(3), requires_grad=False)),
    ])


def expected_tensors(tensors):
    return {name: dict(shape=list(t.shape), stride=list(t.stride()), offset=t.storage_offset(),
                       dtype=str(t.dtype).replace("torch.", ""), values=[float(v) for v in t.double().flatten()])
            for name, t in tensors.items()}


# --- legacy storage streams, valid and broken -----------------------------------------------------------------

MAGIC = 0x1950a86a20f9469cfc6c


def legacy_stream(storage_cls=torch.FloatStorage, numel=4, view=None, keys=("0",), counts=None, magic=MAGIC,
                  version=1001, little_endian=True, key="0", payload=None, typename="storage"):
    """What torch.save(storage, _use_new_zipfile_serialization=False) writes, with every field adjustable."""
    f = io.BytesIO()
    pickle.dump(magic, f, protocol=2)
    pickle.dump(version, f, protocol=2)
    pickle.dump(dict(protocol_version=1001, little_endian=little_endian, type_sizes=dict(short=2, int=4, long=4)),
                f, protocol=2)
    sentinel = object()
    pickler = pickle.Pickler(f, protocol=2)
    pickler.persistent_id = lambda obj: (typename, storage_cls, key, "cpu", numel, view) if obj is sentinel else None
    pickler.dump(sentinel)
    pickle.dump(list(keys), f, protocol=2)
    for count in (counts if counts is not None else [numel] * len(keys)):
        f.write(struct.pack("<q", count))
        f.write(payload if payload is not None else struct.pack("<%df" % numel, *range(numel)))
    return f.getvalue()


def storage_streams():
    real = torch.FloatStorage([0.0, 1.0, 2.0, 3.0]).__reduce__()[1][0]  # what torch writes for a pickled storage
    zipped = io.BytesIO()
    torch.save(torch.FloatStorage([0.0, 1.0]), zipped)
    return {
        "storage_torch.bin": real,
        "storage_view.bin": legacy_stream(view=("1", 1, 2)),
        "storage_half.bin": legacy_stream(torch.HalfStorage, numel=2, payload=struct.pack("<2e", 1.5, -2.0)),
        "storage_zip.bin": zipped.getvalue(),
        "storage_bad_magic.bin": legacy_stream(magic=MAGIC + 1),
        "storage_bad_version.bin": legacy_stream(version=1000),
        "storage_big_endian.bin": legacy_stream(little_endian=False),
        "storage_count_mismatch.bin": legacy_stream(counts=[3], payload=b"\0" * 12),
        "storage_negative_count.bin": legacy_stream(counts=[-1], payload=b""),
        "storage_huge_count.bin": legacy_stream(counts=[2**62], payload=b""),
        "storage_missing_key.bin": legacy_stream(keys=(), counts=[]),
        "storage_unknown_key.bin": legacy_stream(keys=("7",)),
        "storage_bad_class.bin": legacy_stream(torch.ComplexFloatStorage),
        "storage_not_storage.bin": legacy_stream(typename="module"),
        "storage_view_outside.bin": legacy_stream(view=("1", 3, 2)),
        "storage_truncated.bin": legacy_stream()[:-3],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    values, objects = make_values(), make_objects()
    for p in range(6):
        write("values_p%d.pkl" % p, pickle.dumps(values, protocol=p))
        write("objects_p%d.pkl" % p, pickle.dumps(objects, protocol=p))
    write("values.txt", canon(values).encode("utf-8") + b"\n")

    snap = snapshot(8, 2, nhwc_block=8)
    for p in range(6):
        data = pickle.dumps(snap, protocol=p)
        if p == 4:
            check_official_layout(data)  # the globals of spec section 7.1, nothing else
        write("net_p%d.pkl" % p, data)
    expected = {key: expected_network(snap[key]) for key in ("G", "D", "G_ema")}
    expected["training_set_kwargs"] = snap["training_set_kwargs"]
    write("net_expected.json", json.dumps(expected, indent=1, sort_keys=True).encode() + b"\n")

    small = snapshot(4, 2)
    small["augment_pipe"] = None
    small_data = pickle.dumps(small, protocol=4)
    check_official_layout(small_data)
    write("net_small.pkl", small_data)

    for name, data in special_networks().items():
        write(name, data)
    tensors = dtype_tensors()
    write("tensors.pkl", pickle.dumps(tensors, protocol=4))
    write("tensors_expected.json", json.dumps(expected_tensors(tensors), indent=1).encode() + b"\n")
    for name, data in storage_streams().items():
        write(name, data)
    assert not os.path.exists(PWNED)
    print("wrote", len(os.listdir(OUT)), "files to", OUT)


if __name__ == "__main__":
    main()
