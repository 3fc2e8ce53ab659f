#!/usr/bin/python3
"""Writes a training-benchmark pkl shaped like the default model (not a fixture, never committed).

    /usr/bin/python3 scripts/make_bench_model.py OUT.pkl

The official network-pickle layout of tests/fixtures (G, D, G_ema; module_src placeholders, no NVIDIA code),
sized as `stylescope train --cbase 2048 --cmax 64 --map 2` builds the embedded default model: z and w 512,
mapping 2 layers, 64 channels at every resolution 4-32, skip G, resnet D with minibatch-std groups of 4,
conditional on 10 classes, 32x32 grayscale. Random weights from seed 2024. It is what `train --resume` and
scripts/bench_official_train.py --pkl fine-tune side by side on Fashion-MNIST (issue 7's "32x32 model" figure).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests', 'fixtures'))
import make_fixtures as mf  # noqa: E402  (installs the pickle-layout stand-ins)
from sg2_layout import Context  # noqa: E402
from sg2_networks import discriminator, generator  # noqa: E402

SPEC = dict(
    G=mf._g_kwargs(512, 512, dict(num_layers=2),
                   dict(channel_base=2048, channel_max=64, num_fp16_res=4, conv_clamp=256), 10, 32, 1),
    D=mf._d_kwargs(dict(channel_base=2048, channel_max=64, num_fp16_res=4, conv_clamp=256),
                   dict(mbstd_group_size=4), 10, 32, 1),
    dataset=mf._dataset('fashion-mnist-32', 32, True))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    rng = np.random.RandomState(2024)
    g_ema = generator(Context(rng, False), **SPEC['G'])
    nets = dict(training_set_kwargs=dict(SPEC['dataset']), G=mf.perturbed_copy(g_ema, rng),
                D=discriminator(Context(rng, False), **SPEC['D']), G_ema=g_ema, augment_pipe=None)
    print(f'{sys.argv[1]}: {mf.dump(nets, sys.argv[1])} bytes')


if __name__ == '__main__':
    main()
