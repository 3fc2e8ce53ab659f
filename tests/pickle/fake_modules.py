"""Stand-ins for the modules an official network pickle names (torch_utils.persistence, dnnlib.util,
dnnlib.tflib.network), registered in sys.modules so that Python's pickler can name them. Nothing here
comes from NVIDIA's code; module_src is a placeholder. Also makes torch's storage keys reproducible."""
import struct
import sys
import types

import numpy as np
import torch

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


_typed_storage_reduce = torch.storage.TypedStorage.__reduce__
_next_storage_key = [1000000000]


def _reproducible_storage_reduce(self):
    """torch's own storage reducer, with the storage key (a memory address) renumbered so that every run
    writes byte-identical files. The key appears twice, as BINUNICODE, in the nested legacy stream."""
    func, (payload,) = _typed_storage_reduce(self)
    old, new = str(self._storage._cdata).encode(), str(_next_storage_key[0]).encode()
    _next_storage_key[0] += 1
    before, after = (b"X" + struct.pack("<I", len(key)) + key for key in (old, new))
    assert payload.count(before) == 2, "unexpected torch storage stream layout"
    return func, (payload.replace(before, after),)


torch.storage.TypedStorage.__reduce__ = _reproducible_storage_reduce
