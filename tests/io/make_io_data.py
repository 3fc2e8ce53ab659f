#!/usr/bin/python3
"""Writes the reference files of tests/io/data/ that io_tests read: .npy/.npz files written by numpy itself,
the exact .npy headers numpy writes, safetensors files serialised the way the reference implementation
(huggingface/safetensors) does, PNGs from an independent encoder, and the official 8-bit conversion of
tricky float values computed with torch (the official code path) or, without torch, numpy float32.

Run with Debian's python (numpy; torch optional):  /usr/bin/python3 tests/io/make_io_data.py
"""
import json
import os
import struct
import zipfile
import zlib

import numpy as np
import numpy.lib.format as npformat

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")


def path(*parts):
    p = os.path.join(DATA, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def values_of(a):
    """Exact JSON values in C order: float.hex() strings for floats, ints otherwise."""
    flat = np.ascontiguousarray(a).ravel()
    if a.dtype.kind == "f":
        return [float(v).hex() for v in flat]
    return [int(v) for v in flat]


def describe(a):
    return {"dtype": a.dtype.name, "shape": list(a.shape), "values": values_of(a)}


# --- .npy -------------------------------------------------------------------------------------------------
def make_npy():
    good = {
        "f4_c": ((np.arange(24, dtype=np.float32) - 11.5) / 3).reshape(2, 3, 4),
        "f8": np.array([np.pi, -np.e, 1e300, -0.0, 5e-324]),
        "f2": np.array([0, 1, -2.5, 65504, 5.96e-8, np.inf], dtype=np.float16).reshape(3, 2),
        "i8": np.array([-(2**62) - 1, 0, 2**62 + 1, -1], dtype=np.int64),
        "i4": np.array([[-2**31, 7], [2**31 - 1, -7]], dtype=np.int32),
        "i2": np.array([-32768, 1, 32767], dtype=np.int16),
        "i1": np.array([-128, 0, 127], dtype=np.int8),
        "u1": np.arange(12, dtype=np.uint8).reshape(2, 2, 3) * 21,
        "b1": np.array([True, False, True, True, False]),
        "scalar": np.array(2.5, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "fortran_f4": np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5),
        "fortran_i8": np.asfortranarray(np.arange(6, dtype=np.int64).reshape(3, 2) - 3),
    }
    expected = {}
    for name, a in good.items():
        np.save(path("npy", name + ".npy"), a)
        expected[name + ".npy"] = describe(a)
    assert np.load(path("npy", "fortran_f4.npy")).flags.f_contiguous
    for version in [(2, 0), (3, 0)]:
        a = (np.arange(6, dtype=np.float32) * 1.25).reshape(2, 3)
        name = "v%d_f4.npy" % version[0]
        with open(path("npy", name), "wb") as f:
            npformat.write_array(f, a, version=version)
        expected[name] = describe(a)
    # Python 2 era header with long-integer suffixes (numpy still reads them).
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }"
    padlen = 64 - ((10 + len(header) + 1) % 64)
    with open(path("npy", "py2_header.npy"), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header) + 1 + padlen))
        f.write(header.encode("latin1") + b" " * padlen + b"\n" + a.tobytes())
    expected["py2_header.npy"] = describe(a)
    with open(path("npy_expected.json"), "w") as f:
        json.dump(expected, f, indent=0)

    bad = {
        "big_endian": np.arange(4, dtype=">f4"),
        "object": np.array([{"a": 1}, None], dtype=object),
        "structured": np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]),
        "uint32": np.arange(3, dtype=np.uint32),
        "complex": np.arange(3, dtype=np.complex64),
    }
    for name, a in bad.items():
        np.save(path("npy_bad", name + ".npy"), a, allow_pickle=True)


def make_npy_headers():
    """The exact header bytes np.save writes, for npy_header() to reproduce."""
    cases = []
    shapes = [(), (0,), (5,), (1, 512), (18, 512), (1, 14, 512), (4, 4, 3), (3, 1024, 1024), (10**12, 3),
              (2**62,), (1,) * 32, (123456789012345678, 1)]
    # Shapes whose header is already 64-aligned before padding: numpy then pads a full 64 bytes. (The growth
    # padding compensates the digits of the first dimension, so only the others move the length.)
    aligned = 0
    for a in range(19):
        for b in range(19):
            dims = (1, 10**a, 10**b)
            d = {"descr": "<f4", "fortran_order": False, "shape": dims}
            text = "{" + "".join("'%s': %s, " % (k, repr(v)) for k, v in sorted(d.items())) + "}"
            text += " " * (npformat.GROWTH_AXIS_MAX_DIGITS - len(repr(dims[0])))
            if (10 + len(text) + 1) % 64 == 0 and aligned < 3:
                shapes.append(dims)
                aligned += 1
    assert aligned > 0, "no 64-aligned case found"
    for dtype in ["<f4", "<f8", "<f2", "<i8", "<i4", "<i2", "|i1", "|u1", "|b1"]:
        for shape in shapes:
            import io
            buf = io.BytesIO()
            d = {"descr": np.dtype(dtype).str, "fortran_order": False, "shape": shape}
            npformat._write_array_header(buf, d, None)
            cases.append({"descr": dtype, "shape": list(shape), "header_hex": buf.getvalue().hex()})
    with open(path("npy_headers.json"), "w") as f:
        json.dump({"numpy_version": np.__version__, "cases": cases}, f)


# --- .npz -------------------------------------------------------------------------------------------------
def make_npz():
    w = (np.arange(32, dtype=np.float32).reshape(1, 4, 8) / 7).astype(np.float32)
    labels = np.array([3, -1, 2**40], dtype=np.int64)
    np.savez(path("npz", "stored.npz"), w=w, labels=labels)
    np.savez_compressed(path("npz", "compressed.npz"), w=w, labels=labels)
    with zipfile.ZipFile(path("npz", "with_text_member.npz"), "w") as z:
        z.writestr("readme.txt", "not an array")
        z.writestr("w.npy", open(path("npy", "f4_c.npy"), "rb").read())
    with open(path("npz_expected.json"), "w") as f:
        json.dump({"w": describe(w), "labels": describe(labels)}, f, indent=0)


# --- safetensors --------------------------------------------------------------------------------------------
# The reference writer sorts tensors by dtype (declaration order of its Dtype enum, descending), then name.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64",
               "I64", "U64"]


def safetensors_bytes(tensors, metadata, reverse_header=False):
    order = sorted(tensors, key=lambda n: (-DTYPE_ORDER.index(tensors[n][0]), n))
    entries, offset, data = [], 0, b""
    for name in order:
        dtype, shape, raw = tensors[name]
        entries.append((name, {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}))
        offset += len(raw)
        data += raw
    if reverse_header:
        entries.reverse()
    header = {}
    if metadata:
        header["__metadata__"] = dict(sorted(metadata.items()))
    header.update(entries)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data, order


def make_safetensors():
    f32 = np.array([[1.5, -2.0, 3.25], [0.0, 1e-8, -7.0]], dtype=np.float32)
    bf16_source = np.array([1.0, -3.5, 0.15625], dtype=np.float32)
    bf16 = (bf16_source.view(np.uint32) >> 16).astype(np.uint16)
    arrays = {
        "G_ema.mapping.fc0.weight": ("F32", f32),
        "G_ema.synthesis.b4.const": ("F16", np.array([[0.5, -1.0], [2.0, 65504]], dtype=np.float16)),
        "bf": ("BF16", bf16),
        "count": ("I64", np.array(-(2**40), dtype=np.int64)),
        "mask": ("BOOL", np.array([True, False, False, True])),
        "pixels": ("U8", np.arange(6, dtype=np.uint8).reshape(2, 3) * 40),
        "empty": ("F32", np.zeros((0, 3), dtype=np.float32)),
        "f64": ("F64", np.array([np.pi, -1e-300])),
        "i32": ("I32", np.array([-5, 2**31 - 1], dtype=np.int32)),
        "i16": ("I16", np.array([-300, 300], dtype=np.int16)),
        "i8": ("I8", np.array([-1, 2, -3], dtype=np.int8)),
    }
    tensors = {n: (dt, a.shape, a.tobytes()) for n, (dt, a) in arrays.items()}
    metadata = {"format": "stylescope/1", "G_kwargs": json.dumps({"z_dim": 512, "w_dim": 512}), "note": "π ≈ 3.14"}
    blob, order = safetensors_bytes(tensors, metadata)
    open(path("safetensors", "reference.safetensors"), "wb").write(blob)
    blob2, _ = safetensors_bytes(tensors, metadata, reverse_header=True)
    open(path("safetensors", "reversed_header.safetensors"), "wb").write(blob2)
    expected = {"metadata": metadata, "order": order, "tensors": {}}
    for n, (dt, a) in arrays.items():
        values = bf16_source if dt == "BF16" else a
        expected["tensors"][n] = {"dtype": dt, "shape": list(a.shape), "values": values_of(values.astype(np.float64)
                                  if values.dtype.kind == "f" else values)}
    with open(path("safetensors_expected.json"), "w") as f:
        json.dump(expected, f, indent=0, ensure_ascii=False)


# --- PNG ----------------------------------------------------------------------------------------------------
def png_bytes(width, height, color_type, bit_depth, rows, palette=None):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    return out + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def make_png():
    expected = {}
    rng = np.random.RandomState(1)
    for name, channels, color_type, (w, h) in [("gray8", 1, 0, (5, 3)), ("la8", 2, 4, (2, 2)),
                                               ("rgb8", 3, 2, (4, 3)), ("rgba8", 4, 6, (3, 2))]:
        pixels = rng.randint(0, 256, size=(h, w, channels)).astype(np.uint8)
        open(path("png", name + ".png"), "wb").write(png_bytes(w, h, color_type, 8, [r.tobytes() for r in pixels]))
        expected[name + ".png"] = {"width": w, "height": h, "channels": channels, "pixels": values_of(pixels)}
    # 16-bit grayscale: stb keeps the high byte of each sample.
    g16 = rng.randint(0, 65536, size=(2, 3)).astype(">u2")
    open(path("png", "gray16.png"), "wb").write(png_bytes(3, 2, 0, 16, [r.tobytes() for r in g16]))
    expected["gray16.png"] = {"width": 3, "height": 2, "channels": 1, "pixels": values_of(g16 >> 8)}
    # Palette image: stb expands it to RGB.
    palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]
    idx = np.array([[0, 1, 2, 3], [3, 2, 1, 0]], dtype=np.uint8)
    open(path("png", "palette.png"), "wb").write(png_bytes(4, 2, 3, 8, [r.tobytes() for r in idx], palette))
    rgb = np.array(palette, dtype=np.uint8).reshape(4, 3)[idx]
    expected["palette.png"] = {"width": 4, "height": 2, "channels": 3, "pixels": values_of(rgb)}
    with open(path("png_expected.json"), "w") as f:
        json.dump(expected, f)


# --- 8-bit conversion ---------------------------------------------------------------------------------------
def make_conversion():
    f32 = np.float32
    inputs = [0.0, -0.0, 1.0, -1.0, 1.9, -1.9, 0.5, -0.5, 1e30, -1e30, np.inf, -np.inf, 1e-45, -1e-45,
              1.0039216, 1.0039215, -1.0039216, 2.0, -2.0, 0.99999994]
    for k in range(0, 257):  # values whose result lands on an integer, and their float32 neighbours
        for center in [f32((k - 128) / 127.5), f32(k / 127.5 - 1)]:
            up = down = center
            inputs.append(float(center))
            for _ in range(2):
                up, down = np.nextafter(up, f32(np.inf)), np.nextafter(down, f32(-np.inf))
                inputs += [float(up), float(down)]
    x = np.unique(np.array(inputs, dtype=np.float32))
    try:
        import torch
        t = torch.from_numpy(x.copy())
        generate = (t * 127.5 + 128).clamp(0, 255).to(torch.uint8).numpy()  # generate.py
        projector = ((t + 1) * (255 / 2)).clamp(0, 255).to(torch.uint8).numpy()  # projector.py
        source = "torch " + torch.__version__
    except ImportError:
        generate = np.clip(x * f32(127.5) + f32(128), 0, 255).astype(np.uint8)
        projector = np.clip((x + f32(1)) * f32(127.5), 0, 255).astype(np.uint8)
        source = "numpy " + np.__version__
    fused = np.clip((x.astype(np.float64) * 127.5 + 128).astype(np.float32), 0, 255).astype(np.uint8)
    with open(path("convert_vectors.json"), "w") as f:
        json.dump({"source": source, "fma_would_differ": int((fused != generate).sum()),
                   "inputs": [float(v).hex() for v in x], "generate": [int(v) for v in generate],
                   "projector": [int(v) for v in projector]}, f)


def main():
    make_npy()
    make_npy_headers()
    make_npz()
    make_safetensors()
    make_png()
    make_conversion()


if __name__ == "__main__":
    main()
