#!/usr/bin/env python3
"""GPU projection parity: `stylescope project --device cuda` against the official projector.project() on CUDA.

    scripts/device/projection_check.py BUILD/stylescope OFFICIAL_CHECKOUT OUT_JSON [--steps N]

Both project tests/fixtures/ref/projection/skip_rgb32_target.npy (a uint8 image the fixture generated) into
skip_rgb32.pkl with the fixture VGG16 module (tests/fixtures/vgg16_fixture.pt), seed 303, as the CPU references do;
here on CUDA, where project() runs the blocks the pkl flags fp16 (16x16 and 32x32) in fp16 and draws its noise from
the CUDA generator. Reports each side's final distance, the max abs difference of the final w, and the official
CPU reference's last distance for scale. Needs numpy and the official code's dependencies that project() uses
(click, imageio and PIL are stubbed as in make_projection_references.py). Exit 1 when a side fails to run.
"""
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib
from contextlib import redirect_stdout

import numpy as np
import torch

DEVICE = os.environ.get('PROJECTION_DEVICE', 'cuda')  # cpu: try the script without a GPU
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')
sys.path.insert(0, FIXTURES)
import fixture_pickle as fp  # noqa: E402
import make_projection_references as mpr  # noqa: E402
import make_references as mr  # noqa: E402


def write_png_rgb(path, hwc):
    """A plain 8-bit RGB PNG (the device has no PIL)."""
    h, w, _ = hwc.shape
    raw = b''.join(b'\x00' + hwc[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def official(official_dir, target, steps, vgg_path):
    networks = mr.import_official(official_dir)
    import dnnlib
    mpr.stub_unused_imports()
    import projector
    top, _ = fp.load(os.path.join(FIXTURES, 'skip_rgb32.pkl'))
    G = mr.build_networks(networks, dnnlib, top)['G_ema'].to(DEVICE)
    if DEVICE == 'cpu':  # no fp16 transposed convolution on the CPU (as make_projection_references.py)
        for name in G.synthesis.block_resolutions:
            getattr(G.synthesis, f'b{name}').use_fp16 = False
    official_open_url = projector.dnnlib.util.open_url
    projector.dnnlib.util.open_url = lambda url, *a, **kw: official_open_url(vgg_path if url.endswith('/vgg16.pt')
                                                                             else url, *a, **kw)
    np.random.seed(303)
    torch.manual_seed(303)
    log = io.StringIO()
    with redirect_stdout(log):
        w_steps = projector.project(G, target=torch.from_numpy(target).to(DEVICE), num_steps=steps,
                                    device=torch.device(DEVICE), verbose=True)
    dists = [float(m) for m in re.findall(r'step +\d+/\d+: dist ([0-9.]+)', log.getvalue())]
    return w_steps[-1, 0].cpu().numpy().astype(np.float64), dists


def ours(exe, target, steps, vgg_path, tmp, device):
    png = os.path.join(tmp, 'target.png')
    write_png_rgb(png, target.transpose(1, 2, 0).copy())
    out = os.path.join(tmp, 'ours-' + device)
    subprocess.run([exe, 'project', '--model', os.path.join(FIXTURES, 'skip_rgb32.pkl'), '--device', device,
                    '--target', png, '--vgg16', vgg_path, '--steps', str(steps), '--seed', '303', '--no-save-video',
                    '--out', out], check=True, capture_output=True, text=True)
    npz = os.path.join(out, 'projected_w.npz')  # builds without libzip write .npy
    w = np.load(npz)['w'] if os.path.exists(npz) else np.load(os.path.join(out, 'projected_w.npy'))
    report = json.load(open(os.path.join(out, 'report.json')))
    return w.reshape(-1, w.shape[-1])[0].astype(np.float64), report


def main():
    exe, official_dir, out_json = sys.argv[1:4]
    steps = int(sys.argv[sys.argv.index('--steps') + 1]) if '--steps' in sys.argv else 100
    target = np.load(os.path.join(FIXTURES, 'ref', 'projection', 'skip_rgb32_target.npy'))
    vgg_path = os.path.join(FIXTURES, 'vgg16_fixture.pt')
    result = {'steps': steps}
    with tempfile.TemporaryDirectory() as tmp:
        w_ours, report = ours(exe, target, steps, vgg_path, tmp, DEVICE)
        w_cpu, report_cpu = ours(exe, target, steps, vgg_path, tmp, 'cpu')
    result['ours_cuda'] = {'distance': report['distance'], 'seconds': report['seconds']}
    result['ours_cpu'] = {'distance': report_cpu['distance'], 'seconds': report_cpu['seconds']}
    result['ours_cuda_vs_ours_cpu_max_abs_w'] = float(np.abs(w_ours - w_cpu).max())
    try:
        w_off, dists = official(official_dir, target, steps, vgg_path)
        result['official_cuda'] = {'distance_last_printed': dists[-1] if dists else None}
        result['ours_cuda_vs_official_cuda_max_abs_w'] = float(np.abs(w_ours - w_off).max())
        result['official_cuda_vs_ours_cpu_max_abs_w'] = float(np.abs(w_off - w_cpu).max())
        result['w_scale_max_abs'] = float(np.abs(w_off).max())
    except Exception as e:  # the official side failing is reported, ours is still checked
        result['official_error'] = repr(e)
    print(json.dumps(result, indent=1))
    with open(out_json, 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
