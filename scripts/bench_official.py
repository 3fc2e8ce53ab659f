#!/usr/bin/python3
"""Times the official stylegan2-ada-pytorch generator (the baseline StyleScope is compared with).

    /usr/bin/python3 scripts/bench_official.py --official /path/to/stylegan2-ada-pytorch \\
        --config paper256 --threads 2 --iters 5

Builds the Generator of a train.py configuration (spec/stylegan2.md §4) with its random initial
weights and times G(z, c, noise_mode='const', force_fp32=True) for batch 1 under torch.no_grad()
with torch.set_num_threads(N), after --warmup untimed calls. --device cuda times it on the GPU (with --fp16:
force_fp32=False, the official fp16 layers; --batch N images per call). Prints one JSON object:
{config, threads, ms_per_img_median, ms_all, ...}. Needs torch, numpy (and the checkout).
"""

import argparse
import json
import os
import statistics
import sys
import time

# train.py: channel_base = fmaps * 32768, channel_max 512, map 8, num_fp16_res 4, conv_clamp 256.
CONFIGS = {
    'paper256': dict(res=256, channel_base=16384),
    'paper512': dict(res=512, channel_base=32768),
    'paper1024': dict(res=1024, channel_base=32768),
    'stylegan2': dict(res=1024, channel_base=32768),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--official', required=True, help='stylegan2-ada-pytorch checkout')
    parser.add_argument('--config', required=True, choices=sorted(CONFIGS))
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--iters', type=int, default=5, help='timed calls')
    parser.add_argument('--warmup', type=int, default=1, help='untimed calls first')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu', choices=['cpu', 'cuda'])
    parser.add_argument('--fp16', action='store_true', help='force_fp32=False (CUDA)')
    parser.add_argument('--batch', type=int, default=1)
    args = parser.parse_args()

    import numpy as np
    import torch
    sys.path.insert(0, os.path.abspath(args.official))
    from training.networks import Generator

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    cfg = CONFIGS[args.config]
    G = Generator(z_dim=512, c_dim=0, w_dim=512, img_resolution=cfg['res'], img_channels=3,
                  mapping_kwargs=dict(num_layers=8),
                  synthesis_kwargs=dict(channel_base=cfg['channel_base'], channel_max=512, num_fp16_res=4,
                                        conv_clamp=256)).eval().requires_grad_(False).to(args.device)
    z = torch.from_numpy(np.random.RandomState(args.seed).randn(args.batch, G.z_dim)).to(args.device)
    c = torch.zeros([args.batch, G.c_dim], device=args.device)
    sync = torch.cuda.synchronize if args.device == 'cuda' else (lambda: None)
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.iters):
            sync()
            t0 = time.perf_counter()
            img = G(z, c, noise_mode='const', force_fp32=not args.fp16)
            sync()
            dt = (time.perf_counter() - t0) * 1000.0 / args.batch
            if i >= args.warmup:
                times.append(dt)
    assert img.shape == (args.batch, 3, cfg['res'], cfg['res'])
    print(json.dumps(dict(config=args.config, threads=args.threads, ms_per_img_median=statistics.median(times),
                          ms_all=[round(t, 2) for t in times], batch=args.batch, warmup=args.warmup,
                          device=args.device, fp16=args.fp16,
                          img_resolution=cfg['res'], torch=torch.__version__)))


if __name__ == '__main__':
    main()
