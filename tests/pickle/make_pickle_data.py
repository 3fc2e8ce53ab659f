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
import pickletools
import struct
import subprocess
import sys
import types

if os.environ.get("PYTHONHASHSEED") != "0":  # fixed set/dict-of-str iteration order: reproducible files
    sys.exit(subprocess.call([sys.executable] + sys.argv, env=dict(os.environ, PYTHONHASHSEED="0")))

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
MODULE_SRC = "# StyleScope test data: module source omitted\n"
PWNED = "/tmp/stylescope-pickle-test-pwned"


def fake_module(name, **attrs):
    module = types.ModuleType(name)
    for key, value in attrs.items():
        if hasattr(value, "__module__"):
            try:
                value.__module__ = name
            except (AttributeError, TypeError):
                pass
        setattr(module, key, value)
    sys.modules[name] = module
    return module


def _reconstruct_persistent_obj(meta):  # never called: only its name is pickled
    raise RuntimeError("test data only")


class EasyDict(dict):
    pass


class Network:  # stands in for dnnlib.tflib.network.Network (TF-era pickles)
    def __init__(self, name):
        self.state = dict(version=4, name=name, static_kwargs={}, components={}, build_module_src=MODULE_SRC,
                          build_func_name="G_main", variables=[("w", np.zeros(2, np.float32))])

    def __getstate__(self):
        return self.state

    def __setstate__(self, state):
        self.state = state


fake_module("torch_utils")
fake_module("torch_utils.persistence", _reconstruct_persistent_obj=_reconstruct_persistent_obj)
fake_module("dnnlib")
fake_module("dnnlib.util", EasyDict=EasyDict)
fake_module("dnnlib.tflib")
fake_module("dnnlib.tflib.network", Network=Network)


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


# --- tiny networks in the official layout ------------------------------------------------------------------

class Persistent(torch.nn.Module):
    """Pickles like torch_utils.persistence: REDUCE(_reconstruct_persistent_obj, (meta,)), no BUILD."""

    def __reduce__(self):
        meta = dict(type="class", version=6, module_src=MODULE_SRC, class_name=type(self).__name__,
                    state=self.__dict__)
        return _reconstruct_persistent_obj, (meta,)

    def init_args(self, **kwargs):  # the decorator stores these after the constructor ran
        self._init_args = ()
        self._init_kwargs = kwargs


def persistent_class(name):
    return type(name, (Persistent,), {})


(Generator, MappingNetwork, FullyConnectedLayer, SynthesisNetwork, SynthesisBlock, SynthesisLayer, ToRGBLayer,
 Discriminator, DiscriminatorBlock, Conv2dLayer, DiscriminatorEpilogue, MinibatchStdLayer, AugmentPipe,
 SynthesisInput) = map(persistent_class, [
    "Generator", "MappingNetwork", "FullyConnectedLayer", "SynthesisNetwork", "SynthesisBlock", "SynthesisLayer",
    "ToRGBLayer", "Discriminator", "DiscriminatorBlock", "Conv2dLayer", "DiscriminatorEpilogue",
    "MinibatchStdLayer", "AugmentPipe", "SynthesisInput"])


def param(*shape):
    return torch.nn.Parameter(torch.randn(*shape), requires_grad=False)


def filt():
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = f[:, None] * f[None, :]
    return f / f.sum()


def fc(in_features, out_features, activation="linear", bias=True):
    m = FullyConnectedLayer()
    m.weight = param(out_features, in_features)
    m.bias = param(out_features) if bias else None
    m.activation = activation
    m.weight_gain = np.float64(1 / np.sqrt(in_features))
    m.bias_gain = 1
    m.init_args(in_features=in_features, out_features=out_features, activation=activation)
    return m


def conv(in_channels, out_channels, kernel, activation="lrelu", bias=True, up=1, down=1):
    m = Conv2dLayer()
    m.weight = param(out_channels, in_channels, kernel, kernel)
    m.bias = param(out_channels) if bias else None
    m.register_buffer("resample_filter", filt())
    m.activation, m.up, m.down, m.conv_clamp, m.padding = activation, up, down, None, kernel // 2
    m.weight_gain = np.float64(1 / np.sqrt(in_channels * kernel * kernel))
    m.act_gain = np.float64(np.sqrt(2)) if activation == "lrelu" else 1
    m.init_args(in_channels=in_channels, out_channels=out_channels, kernel_size=kernel)
    return m


def synthesis_layer(in_channels, out_channels, w_dim, resolution, up):
    m = SynthesisLayer()
    m.affine = fc(w_dim, in_channels)
    m.weight = param(out_channels, in_channels, 3, 3)
    m.noise_strength = torch.nn.Parameter(torch.tensor(0.25), requires_grad=False)  # 0-dim
    m.bias = param(out_channels)
    m.register_buffer("resample_filter", filt())
    m.register_buffer("noise_const", torch.randn(resolution, resolution))
    m.resolution, m.up, m.use_noise, m.activation, m.conv_clamp, m.padding = resolution, up, True, "lrelu", None, 1
    m.act_gain = np.float64(np.sqrt(2))
    m.init_args(in_channels=in_channels, out_channels=out_channels, w_dim=w_dim, resolution=resolution)
    return m


def torgb(in_channels, img_channels, w_dim):
    m = ToRGBLayer()
    m.affine = fc(w_dim, in_channels)
    m.weight = param(img_channels, in_channels, 1, 1)
    m.bias = param(img_channels)
    m.conv_clamp = None
    m.weight_gain = np.float64(1 / np.sqrt(in_channels))
    m.init_args(in_channels=in_channels, out_channels=img_channels, w_dim=w_dim)
    return m


def generator(resolution, channels, w_dim=8, img_channels=3, mapping_layers=2, nhwc_block=None):
    g = Generator()
    g.z_dim, g.c_dim, g.w_dim, g.img_resolution, g.img_channels = w_dim, 0, w_dim, resolution, img_channels
    s = SynthesisNetwork()
    s.w_dim, s.img_resolution, s.img_resolution_log2, s.img_channels = w_dim, resolution, int(np.log2(resolution)), 3
    s.block_resolutions = [2**i for i in range(2, s.img_resolution_log2 + 1)]
    for r in s.block_resolutions:
        b = SynthesisBlock()
        b.in_channels = 0 if r == 4 else channels
        b.w_dim, b.resolution, b.img_channels, b.is_last = w_dim, r, img_channels, r == resolution
        b.architecture, b.use_fp16, b.channels_last, b.num_conv, b.num_torgb = "skip", False, False, 0, 0
        if r == 4:
            b.const = param(channels, 4, 4)
        b.register_buffer("resample_filter", filt())
        if r > 4:
            b.conv0 = synthesis_layer(channels, channels, w_dim, r, 2)
            b.num_conv += 1
        b.conv1 = synthesis_layer(channels, channels, w_dim, r, 1)
        b.torgb = torgb(channels, img_channels, w_dim)
        b.num_conv, b.num_torgb = b.num_conv + 1, 1
        if r == nhwc_block:  # --nhwc: a channels_last weight, non-contiguous strides
            w = b.conv1.weight
            w.data = w.data.contiguous(memory_format=torch.channels_last)
        b.init_args(in_channels=b.in_channels, out_channels=channels, w_dim=w_dim, resolution=r)
        setattr(s, "b%d" % r, b)
    s.num_ws = 2 * len(s.block_resolutions)
    s.init_args(w_dim=w_dim, img_resolution=resolution, img_channels=img_channels)
    g.synthesis = s
    g.num_ws = s.num_ws
    m = MappingNetwork()
    m.z_dim, m.c_dim, m.w_dim, m.num_ws, m.num_layers, m.w_avg_beta = w_dim, 0, w_dim, s.num_ws, mapping_layers, 0.995
    for i in range(mapping_layers):
        setattr(m, "fc%d" % i, fc(w_dim, w_dim, "lrelu"))
    m.register_buffer("w_avg", torch.randn(w_dim))
    m.init_args(z_dim=w_dim, c_dim=0, w_dim=w_dim, num_ws=s.num_ws, num_layers=mapping_layers)
    g.mapping = m
    g.init_args(z_dim=w_dim, c_dim=0, w_dim=w_dim, img_resolution=resolution, img_channels=img_channels,
                mapping_kwargs=EasyDict(num_layers=mapping_layers),
                synthesis_kwargs=EasyDict(channel_base=channels * resolution, channel_max=channels,
                                          num_fp16_res=0, conv_clamp=None, architecture="skip"))
    return g


def discriminator(resolution, channels, img_channels=3, freeze_fromrgb=True):
    d = Discriminator()
    d.c_dim, d.img_resolution, d.img_resolution_log2, d.img_channels = 0, resolution, int(np.log2(resolution)), 3
    d.block_resolutions = [2**i for i in range(d.img_resolution_log2, 2, -1)]
    for r in d.block_resolutions:
        b = DiscriminatorBlock()
        b.in_channels = 0 if r == resolution else channels
        b.resolution, b.img_channels, b.first_layer_idx, b.architecture = r, img_channels, 0, "resnet"
        b.use_fp16, b.channels_last, b.num_layers = False, False, 0
        b.register_buffer("resample_filter", filt())
        if r == resolution:
            b.fromrgb = conv(img_channels, channels, 1)
            if freeze_fromrgb:  # Freeze-D: frozen weights live in _buffers under the same names
                for key in ("weight", "bias"):
                    t = b.fromrgb._parameters.pop(key)
                    b.fromrgb.register_buffer(key, t.data)
        b.conv0 = conv(channels, channels, 3)
        b.conv1 = conv(channels, channels, 3, down=2)
        b.skip = conv(channels, channels, 1, activation="linear", bias=False, down=2)
        b.num_layers = 3
        b.init_args(in_channels=b.in_channels, tmp_channels=channels, out_channels=channels, resolution=r)
        setattr(d, "b%d" % r, b)
    e = DiscriminatorEpilogue()
    e.in_channels, e.cmap_dim, e.resolution, e.img_channels, e.architecture = channels, 0, 4, img_channels, "resnet"
    e.mbstd = MinibatchStdLayer()
    e.mbstd.group_size, e.mbstd.num_channels = 2, 1
    e.mbstd.init_args(group_size=2, num_channels=1)
    e.conv = conv(channels + 1, channels, 3)
    e.fc = fc(channels * 16, channels, "lrelu")
    e.out = fc(channels, 1)
    e.init_args(in_channels=channels, cmap_dim=0, resolution=4)
    d.b4 = e
    d.init_args(c_dim=0, img_resolution=resolution, img_channels=img_channels)
    return d


def augment_pipe():
    a = AugmentPipe()
    a.xflip, a.rotate90, a.xint = 1.0, 1.0, 1.0
    a.register_buffer("p", torch.zeros([]))
    a.init_args(xflip=1, rotate90=1, xint=1)
    return a


def snapshot(resolution, channels, nhwc_block=None):
    torch.manual_seed(resolution * 100 + channels)
    g = generator(resolution, channels, nhwc_block=nhwc_block)
    d = discriminator(resolution, channels)
    g_ema = generator(resolution, channels, nhwc_block=nhwc_block)
    for module in (g, d, g_ema):
        module.eval().requires_grad_(False)
    kwargs = EasyDict(class_name="training.dataset.ImageFolderDataset", path="~/datasets/tiny.zip",
                      use_labels=False, max_size=8, xflip=False, resolution=resolution)
    return dict(training_set_kwargs=dict(kwargs), G=g, D=d, G_ema=g_ema, augment_pipe=augment_pipe())


def expected_network(net):
    def plain(v):
        if isinstance(v, np.generic):
            return v.item()
        if isinstance(v, (list, tuple)):
            return [plain(i) for i in v]
        if isinstance(v, dict):
            return {k: plain(i) for k, i in v.items()}
        return v

    tensors = {}
    for name, t in list(net.named_parameters()) + list(net.named_buffers()):
        tensors[name] = dict(shape=list(t.shape), stride=list(t.stride()), offset=t.storage_offset(),
                             dtype=str(t.dtype).replace("torch.", ""), sum=float(t.double().sum()),
                             first=float(t.flatten()[0]))
    return dict(
        class_name=type(net).__name__,
        module_classes={path: type(m).__name__ for path, m in net.named_modules()},
        module_attributes={path: {k: plain(v) for k, v in m.__dict__.items() if not k.startswith("_") and k != "training"}
                           for path, m in net.named_modules()},
        init_kwargs=plain(net._init_kwargs),
        tensors=tensors)


SPEC_GLOBALS = {
    ("torch_utils.persistence", "_reconstruct_persistent_obj"), ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_tensor_v2"),
    ("torch.storage", "_load_from_bytes"), ("numpy.core.multiarray", "scalar"), ("numpy", "dtype"),
    ("dnnlib.util", "EasyDict"),
}


def globals_of(data):
    """(module, name) of every GLOBAL / STACK_GLOBAL in a pickle, from pickletools' opcode stream."""
    found, tail, memo = set(), [], {}  # tail: recent pushes (str or None), enough for STACK_GLOBAL
    for op, arg, _ in pickletools.genops(data):
        if op.name == "GLOBAL":
            found.add(tuple(arg.split(" ", 1)))
        elif op.name == "STACK_GLOBAL":
            found.add((tail[-2], tail[-1]))
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            tail.append(arg)
        elif op.name in ("GET", "BINGET", "LONG_BINGET"):
            tail.append(memo.get(arg))
        elif op.name == "MEMOIZE":
            memo[len(memo)] = tail[-1] if tail else None
        elif op.name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = tail[-1] if tail else None
        else:
            tail.append(None)
    return found


def check_official_layout(data):
    found = globals_of(data)
    assert found == SPEC_GLOBALS, sorted(found ^ SPEC_GLOBALS)


# --- special network pickles ---------------------------------------------------------------------------------

def stylegan3_generator(with_input=True):
    g = generator(4, 4)
    s = g.synthesis
    for name in list(s._modules):
        del s._modules[name]
    if with_input:
        i = SynthesisInput()
        i.weight = param(4, 4)
        for name, shape in (("transform", [3, 3]), ("freqs", [4, 2]), ("phases", [4])):
            i.register_buffer(name, torch.randn(*shape))
        s.input = i
    for name in ("L0_36_4", "L1_36_4"):
        layer = SynthesisLayer()
        layer.weight = param(4, 4, 3, 3)
        for buf in ("magnitude_ema", "up_filter", "down_filter"):
            layer.register_buffer(buf, torch.ones([]))
        setattr(s, name, layer)
    return g


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
    real = io.BytesIO()
    torch.save(torch.FloatStorage([0.0, 1.0, 2.0, 3.0]), real, _use_new_zipfile_serialization=False)
    zipped = io.BytesIO()
    torch.save(torch.FloatStorage([0.0, 1.0]), zipped)
    return {
        "storage_torch.bin": real.getvalue(),
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
