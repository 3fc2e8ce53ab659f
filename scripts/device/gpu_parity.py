#!/usr/bin/env python3
"""GPU parity: `stylescope generate --device cuda` against the official reference outputs.

    scripts/device/gpu_parity.py BUILD/stylescope OUT_JSON [--fp16]

Runs every generate and mix case of tests/fixtures/ref/references.json (made by the official code on the CPU from
the fixture pkls) through the CLI on CUDA with --save-npy and reports the max abs difference of images and ws.
fp32 must hold the CPU tolerances (images 1e-3, ws 1e-4); with --fp16 the images are only reported (the official
fp16 path differs from its own fp32 by far more). Needs numpy. Exit 1 when an fp32 case is out of tolerance.
PARITY_DEVICE=cpu runs the same cases on the CPU (to try the script without a GPU).
"""
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')


def run_case(exe, case, out, fp16):
    cmd = [exe, 'generate', '--model', os.path.join(FIXTURES, case['fixture'] + '.pkl'), '--device', os.environ.get('PARITY_DEVICE', 'cuda'),
           '--trunc', str(case['psi']), '--noise-mode', case['noise_mode'], '--save-npy', '--out', out]
    if case['kind'] == 'mix':
        cmd += ['--seeds', str(case['row_seed']), '--mix-seed', str(case['col_seed']),
                '--styles', ','.join(map(str, case['styles']))]
    else:
        cmd += ['--seeds', ','.join(map(str, case['seeds']))]
    if case.get('cutoff') is not None:
        cmd += ['--trunc-cutoff', str(case['cutoff'])]
    if case.get('class') is not None:
        cmd += ['--class', str(case['class'])]
    if case.get('batched'):
        cmd += ['--batch', str(len(case['seeds']))]
    if fp16:
        cmd += ['--fp16']
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    seeds = [case['row_seed']] if case['kind'] == 'mix' else case['seeds']
    img = np.stack([np.load(os.path.join(out, 'seed%04d.npy' % s)).reshape(-1) for s in seeds])
    ws = np.stack([np.load(os.path.join(out, 'seed%04d_w.npy' % s)).reshape(-1) for s in seeds])
    return img, ws


def main():
    exe, out_json = sys.argv[1], sys.argv[2]
    fp16 = '--fp16' in sys.argv[3:]
    cases = [c for c in json.load(open(os.path.join(FIXTURES, 'ref', 'references.json')))
             if c['kind'] in ('generate', 'mix')]

    def outputs(case):  # each process pays the CUDA start-up, so several run at once
        with tempfile.TemporaryDirectory() as tmp:
            try:
                return run_case(exe, case, tmp, fp16)
            except subprocess.CalledProcessError as e:
                return e

    with ThreadPoolExecutor(8) as pool:
        all_outputs = list(pool.map(outputs, cases))
    results, failed = [], 0
    for case, got in zip(cases, all_outputs):
        if not isinstance(got, tuple):
            results.append(dict(fixture=case['fixture'], case=case['case'], error=got.stderr[-500:]))
            print('%-16s %-14s FAILED: %s' % (case['fixture'], case['case'], got.stderr[-300:]), flush=True)
            failed += 1
            continue
        img, ws = got
        ref_img = np.load(os.path.join(FIXTURES, 'ref', case['files']['img'])).reshape(img.shape[0], -1)
        ref_ws = np.load(os.path.join(FIXTURES, 'ref', case['files']['ws'])).reshape(ws.shape[0], -1)
        d_img = float(np.abs(img - ref_img).max())
        d_ws = float(np.abs(ws - ref_ws).max())
        ok = fp16 or (d_img <= 1e-3 and d_ws <= 1e-4)
        failed += not ok
        results.append(dict(fixture=case['fixture'], case=case['case'], img_max_abs_diff=d_img,
                            ws_max_abs_diff=d_ws, img_max_abs=case['img_max_abs'], ok=ok))
        print('%-16s %-14s img %.2e  ws %.2e  %s' % (case['fixture'], case['case'], d_img, d_ws,
                                                     'ok' if ok else 'FAIL'), flush=True)
    json.dump(dict(fp16=fp16, cases=results, failed=failed), open(out_json, 'w'), indent=1)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
