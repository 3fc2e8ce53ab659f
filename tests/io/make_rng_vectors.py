#!/usr/bin/python3
"""Writes tests/io/data/rng_vectors.json and rng_randn_1x512.npy: numpy legacy RandomState outputs that
numpy_rng_test.cpp must reproduce bit for bit (spec section 6.1).

Run with Debian's python (it has numpy):  /usr/bin/python3 tests/io/make_rng_vectors.py
Doubles are stored as float.hex() strings so that the C++ side parses them exactly (strtod).
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SEEDS = [0, 1, 42, 123, 2**31 - 1, 2**32 - 1]


def hexes(values):
    return [float(v).hex() for v in np.asarray(values, dtype=np.float64).ravel()]


def main():
    os.makedirs(DATA, exist_ok=True)
    z = np.stack([np.random.RandomState(s).randn(1, 512)[0] for s in SEEDS])  # generate.py's z per seed
    np.save(os.path.join(DATA, "rng_randn_1x512.npy"), z.astype(np.float64))

    out = {"numpy_version": np.__version__, "randn_seeds": SEEDS}

    out["raw_uint32"] = []
    for seed in [0, 2**32 - 1]:
        rs = np.random.RandomState(seed)
        # randint over the full uint32 range returns the raw MT19937 outputs; 700 crosses a regeneration.
        values = rs.randint(0, 2**32, size=700, dtype=np.uint32)
        out["raw_uint32"].append({"seed": seed, "values": [int(v) for v in values]})

    out["random_sample"] = {"seed": 5, "values": hexes(np.random.RandomState(5).random_sample(16))}

    rs = np.random.RandomState(7)  # the gauss cache carries over between randn calls
    out["continued_randn"] = {"seed": 7, "first": hexes(rs.randn(3)), "second": hexes(rs.randn(4))}

    rs = np.random.RandomState(9)  # random_sample in between leaves the cached gauss in place
    seq = []
    for kind in ["randn", "random_sample", "randn", "randn", "random_sample", "randn"]:
        seq.append([kind, hexes(rs.randn(1) if kind == "randn" else rs.random_sample(1))[0]])
    out["interleaved"] = {"seed": 9, "sequence": seq}

    # The projector's W statistics draw RandomState(123).randn(10000, z_dim): many regenerations.
    big = np.random.RandomState(123).randn(10000, 512).ravel()
    picks = [0, 1, 2, 1000, 2_560_000, 5_119_999]
    out["long_run"] = {"seed": 123, "count": int(big.size), "indices": picks, "values": hexes(big[picks])}

    out["shuffle"] = []
    for seed, items in [(5, list(range(20))), (3, [1, 2, 5, 6, 7, 8, 9, 10]), (0, list(range(1000)))]:
        x = list(items)
        np.random.RandomState(seed).shuffle(x)  # gen_video.py's --shuffle-seed
        out["shuffle"].append({"seed": seed, "input": items, "result": x})

    with open(os.path.join(DATA, "rng_vectors.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
