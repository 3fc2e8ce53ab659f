#!/usr/bin/python3
"""Times the official stylegan2-ada-pytorch training step on the CPU (the baseline `stylescope train` is
compared with).

    /usr/bin/python3 scripts/bench_official_train.py --official /path/to/stylegan2-ada-pytorch \\
        [--pkl tests/fixtures/skip_rgb32.pkl] [--batch 8] [--threads 2] [--kimg 1] [--data DATASET.zip]
    ... --whole-process --out RUN_DIR     # from process start to the end, with grids and snapshots

Fine-tunes the pkl's G, D, G_ema (read with tests/fixtures' restricted reader and built as the
official classes, so fixture pkls work too) the way training/training_loop.py does with train.py's
resume settings: phases Gmain, Greg (every 4), Dmain, Dreg (every 16) of the checkout's own
training/loss.py (imported and run, not copied), style mixing 0.9, random noise, r1_gamma of the
'auto' cfg (0.0002 * res^2 / batch), Adam (lr 0.0025, betas 0/0.99, eps 1e-8) with the lazy
regularisation correction, nan_to_num of the grads, G_ema with ema_kimg = batch * 10 / 32 and no ramp-up
(train.py turns the ramp-up off when resuming), batch_gpu = batch, no augmentation. Real batches come
from the official DataLoader (InfiniteSampler, --workers processes) over random uint8 images or
--data (official ImageFolderDataset; PNG only when PIL is missing). Deviation: every block runs in fp32
(force_fp32; fp16 is a CUDA feature).

Default mode: --warmup iterations (untimed, reported separately), then ceil(kimg*1000/batch) timed
iterations; prints JSON with img_per_s and median_s_per_iter (also per iteration kind).
--whole-process: additionally does what the official loop does around the steps — module summaries,
reals.png / fakes_init.png, stats.jsonl, and at the first tick and at the end a status line, a
fakes%06d.png grid and a network-snapshot-%06d.pkl — and reports seconds from process creation to the
end (no warm-up excluded). RUN_DIR must not exist or be empty.
"""

import time

T_SCRIPT = time.time()  # before the heavy imports

import argparse  # noqa: E402
import copy  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import pickle  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402
import zlib  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(REPO, 'tests', 'fixtures')


# ------------------------------------------------------------------------------------------------
# Stand-ins for libraries the official modules import but Debian's Python lacks here

def png_bytes(arr):
    """8-bit grayscale or RGB PNG, zlib level 6 (PIL's default)."""
    h, w = arr.shape[:2]
    color = 0 if arr.ndim == 2 else {3: 2, 4: 6}[arr.shape[2]]
    raw = b''.join(b'\x00' + arr[y].tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, color, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))


def png_array(data):
    """Decodes a non-interlaced 8-bit gray/gray+alpha/RGB/RGBA PNG."""
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG (only PNG datasets work without PIL)'
    pos, idat = 8, b''
    while pos < len(data):
        (n,), kind = struct.unpack('>I', data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, color, _, _, interlace = struct.unpack('>IIBBBBB', body)
            assert depth == 8 and interlace == 0 and color in (0, 2, 4, 6), 'unsupported PNG'
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * ch)
    out = np.zeros([h, w * ch], np.int32)
    for y in range(h):
        f, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        up = out[y - 1] if y else np.zeros(w * ch, np.int32)
        if f in (0, 2):
            out[y] = (line + (up if f == 2 else 0)) & 255
            continue
        for x in range(w * ch):  # Sub, Average, Paeth depend on the left neighbour
            a = out[y, x - ch] if x >= ch else 0
            b, c = up[x], (up[x - ch] if x >= ch else 0)
            if f == 1:
                pred = a
            elif f == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out[y, x] = (line[x] + pred) & 255
    img = out.astype(np.uint8).reshape(h, w, ch)
    return img[:, :, 0] if ch == 1 else img


def stub_missing_modules():
    identity = lambda *a, **k: (lambda f: f)  # noqa: E731
    try:
        import click  # noqa: F401
    except ImportError:
        click = types.ModuleType('click')
        for name in ('command', 'option', 'group', 'argument'):
            setattr(click, name, identity)
        click.pass_context = lambda f: f
        click.__getattr__ = lambda name: identity
        sys.modules['click'] = click
    try:
        importlib.import_module('PIL.Image')  # the real one when installed
    except ImportError:
        class Img:
            def __init__(self, arr):
                self.arr = arr

            def save(self, fname):
                with open(fname, 'wb') as f:
                    f.write(png_bytes(self.arr))

            def __array__(self, dtype=None):
                return self.arr
        image = types.ModuleType('PIL.Image')
        image.EXTENSION = {'.png': 'PNG'}
        image.init = lambda: None
        image.fromarray = lambda arr, mode=None: Img(arr)
        image.open = lambda f: Img(png_array(f.read()))
        pil = types.ModuleType('PIL')
        pil.Image = image
        sys.modules['PIL'], sys.modules['PIL.Image'] = pil, image


# ------------------------------------------------------------------------------------------------

def import_official(path):
    stub_missing_modules()
    sys.path.insert(0, FIXTURES)
    import fixture_pickle as fp
    import make_references as mr
    networks = mr.import_official(path)  # puts the checkout first on sys.path
    import dnnlib
    from torch_utils import misc, training_stats
    from training import dataset, loss, training_loop
    for cls in (networks.SynthesisNetwork, networks.Discriminator):  # fp32 everywhere on the CPU
        original = cls.forward

        def forward(self, *args, _original=original, **kwargs):
            kwargs['force_fp32'] = True
            return _original(self, *args, **kwargs)
        cls.forward = forward
    return types.SimpleNamespace(fp=fp, mr=mr, networks=networks, dnnlib=dnnlib, misc=misc, stats=training_stats,
                                 dataset=dataset, loss=loss, loop=training_loop)


class RandomImages:
    """Factory for an official Dataset subclass holding random uint8 images (labels: i % c_dim)."""

    @staticmethod
    def make(dataset_module, n, shape, c_dim, seed):
        class Random(dataset_module.Dataset):
            def __init__(self):
                self._images = np.random.RandomState(seed).randint(0, 256, size=[n] + shape, dtype=np.uint8)
                super().__init__(name='random', raw_shape=[n] + shape, use_labels=c_dim > 0)

            def _load_raw_image(self, raw_idx):
                return self._images[raw_idx]

            def _load_raw_labels(self):
                return np.arange(n, dtype=np.int64) % c_dim
        return Random()


def build(off, args):
    top, _ = off.fp.load(args.pkl)
    nets = off.mr.build_networks(off.networks, off.dnnlib, top)
    G = copy.deepcopy(nets['G']).train().requires_grad_(False)  # as constructed + resumed by the loop
    D = copy.deepcopy(nets['D']).train().requires_grad_(False)
    G_ema = copy.deepcopy(nets['G_ema']).eval()
    if args.data:
        training_set = off.dataset.ImageFolderDataset(path=args.data, use_labels=G.c_dim > 0, xflip=False,
                                                      resolution=G.img_resolution)
    else:
        training_set = RandomImages.make(off.dataset, args.random_images,
                                         [G.img_channels, G.img_resolution, G.img_resolution], G.c_dim, 0)
    sampler = off.misc.InfiniteSampler(dataset=training_set, seed=0)
    loader_kwargs = dict(num_workers=args.workers, prefetch_factor=2) if args.workers else {}
    iterator = iter(torch.utils.data.DataLoader(dataset=training_set, sampler=sampler, batch_size=args.batch,
                                                **loader_kwargs))
    gamma = args.gamma if args.gamma is not None else 0.0002 * G.img_resolution ** 2 / args.batch
    loss = off.loss.StyleGAN2Loss(device=torch.device('cpu'), G_mapping=G.mapping, G_synthesis=G.synthesis, D=D,
                                  augment_pipe=None, style_mixing_prob=args.mixing, r1_gamma=gamma)
    phases = []
    for name, module, interval in (('G', G, 4), ('D', D, 16)):
        mb_ratio = interval / (interval + 1)
        opt = torch.optim.Adam(module.parameters(), lr=0.0025 * mb_ratio, betas=[b ** mb_ratio for b in (0, 0.99)],
                               eps=1e-8)
        phases += [dict(name=name + 'main', module=module, opt=opt, interval=1),
                   dict(name=name + 'reg', module=module, opt=opt, interval=interval)]
    return types.SimpleNamespace(G=G, D=D, G_ema=G_ema, training_set=training_set, iterator=iterator, loss=loss,
                                 phases=phases, gamma=gamma, ema_kimg=args.batch * 10 / 32)


def iteration(off, s, batch, batch_idx):
    """One iteration of the official loop body (data fetch, phases, G_ema), batch_gpu = batch."""
    real_img, real_c = next(s.iterator)
    real_img = (real_img.to(torch.float32) / 127.5 - 1).split(batch)
    real_c = real_c.split(batch)
    n = len(s.phases)
    all_gen_z = [z.split(batch) for z in torch.randn([n * batch, s.G.z_dim]).split(batch)]
    all_gen_c = [s.training_set.get_label(np.random.randint(len(s.training_set))) for _ in range(n * batch)]
    all_gen_c = [c.split(batch) for c in torch.from_numpy(np.stack(all_gen_c)).split(batch)]
    for phase, gen_z, gen_c in zip(s.phases, all_gen_z, all_gen_c):
        if batch_idx % phase['interval'] != 0:
            continue
        phase['opt'].zero_grad(set_to_none=True)
        phase['module'].requires_grad_(True)
        for r_img, r_c, z, c in zip(real_img, real_c, gen_z, gen_c):
            s.loss.accumulate_gradients(phase=phase['name'], real_img=r_img, real_c=r_c, gen_z=z, gen_c=c, sync=True,
                                        gain=phase['interval'])
        phase['module'].requires_grad_(False)
        for p in phase['module'].parameters():
            if p.grad is not None:
                off.misc.nan_to_num(p.grad, nan=0, posinf=1e5, neginf=-1e5, out=p.grad)
        phase['opt'].step()
    ema_beta = 0.5 ** (batch / max(s.ema_kimg * 1000, 1e-8))
    for p_ema, p in zip(s.G_ema.parameters(), s.G.parameters()):
        p_ema.copy_(p.lerp(p_ema, ema_beta))
    for b_ema, b in zip(s.G_ema.buffers(), s.G.buffers()):
        b_ema.copy_(b)


def kind_of(batch_idx):
    if batch_idx % 16 == 0:
        return 'Gmain+Greg+Dmain+Dreg'
    return 'Gmain+Greg+Dmain' if batch_idx % 4 == 0 else 'Gmain+Dmain'


def timed_run(off, s, args):
    t0 = time.perf_counter()
    for i in range(args.warmup):
        iteration(off, s, args.batch, i)
    warmup_s = time.perf_counter() - t0
    iters = math.ceil(args.kimg * 1000 / args.batch)
    times, kinds = [], {}
    for i in range(args.warmup, args.warmup + iters):
        t = time.perf_counter()
        iteration(off, s, args.batch, i)
        times.append(time.perf_counter() - t)
        kinds.setdefault(kind_of(i), []).append(times[-1])
    total = sum(times)
    return dict(warmup_iters=args.warmup, warmup_s=warmup_s, timed_iters=iters, timed_images=iters * args.batch,
                timed_s=total, img_per_s=iters * args.batch / total, median_s_per_iter=statistics.median(times),
                median_s_per_iter_by_kind={k: statistics.median(v) for k, v in kinds.items()},
                iters_by_kind={k: len(v) for k, v in kinds.items()})


def snapshot(off, s, args, run_dir, cur_nimg, grid):
    """What the loop does at a tick that saves images and networks (image/network_snapshot_ticks hit)."""
    grid_size, grid_z, grid_c = grid
    images = torch.cat([s.G_ema(z=z, c=c, noise_mode='const').cpu() for z, c in zip(grid_z, grid_c)]).numpy()
    off.loop.save_image_grid(images, os.path.join(run_dir, f'fakes{cur_nimg // 1000:06d}.png'), drange=[-1, 1],
                             grid_size=grid_size)
    data = dict(training_set_kwargs=dict(class_name='training.dataset.ImageFolderDataset', path=args.data))
    for name, module in (('G', s.G), ('D', s.D), ('G_ema', s.G_ema), ('augment_pipe', None)):
        data[name] = None if module is None else copy.deepcopy(module).eval().requires_grad_(False).cpu()
    with open(os.path.join(run_dir, f'network-snapshot-{cur_nimg // 1000:06d}.pkl'), 'wb') as f:
        pickle.dump(data, f)


def whole_run(off, s, args, t_start):
    """The official loop's order: summaries, grids, then iterations with tick maintenance."""
    import psutil
    run_dir = args.out
    os.makedirs(run_dir, exist_ok=True)
    if os.listdir(run_dir):
        raise SystemExit(f'--out {run_dir}: not empty')
    z = torch.zeros([args.batch, s.G.z_dim])  # official: torch.empty (see the report: it moves w_avg)
    c = torch.zeros([args.batch, s.G.c_dim])
    img = off.misc.print_module_summary(s.G, [z, c])
    off.misc.print_module_summary(s.D, [img, c])
    grid_size, images, labels = off.loop.setup_snapshot_image_grid(training_set=s.training_set)
    off.loop.save_image_grid(images, os.path.join(run_dir, 'reals.png'), drange=[0, 255], grid_size=grid_size)
    grid_z = torch.randn([labels.shape[0], s.G.z_dim]).split(args.batch)
    grid_c = torch.from_numpy(labels).split(args.batch)
    images = torch.cat([s.G_ema(z=z, c=c, noise_mode='const').cpu() for z, c in zip(grid_z, grid_c)]).numpy()
    off.loop.save_image_grid(images, os.path.join(run_dir, 'fakes_init.png'), drange=[-1, 1], grid_size=grid_size)
    collector = off.stats.Collector(regex='.*')
    stats_jsonl = open(os.path.join(run_dir, 'stats.jsonl'), 'wt')
    t_loop = time.time()
    startup_s = t_loop - t_start
    cur_nimg = cur_tick = batch_idx = 0
    tick_start_nimg, tick_start_time, maintenance_s = 0, time.time(), 0.0
    while True:
        iteration(off, s, args.batch, batch_idx)
        cur_nimg += args.batch
        batch_idx += 1
        done = cur_nimg >= args.kimg * 1000
        if not done and cur_tick != 0 and cur_nimg < tick_start_nimg + args.tick * 1000:
            continue
        tick_end = time.time()
        report0 = off.stats.report0
        sec_per_kimg = (tick_end - tick_start_time) / (cur_nimg - tick_start_nimg) * 1e3
        print(f"tick {report0('Progress/tick', cur_tick):<5d} kimg {report0('Progress/kimg', cur_nimg / 1e3):<8.1f} "
              f"sec/kimg {report0('Timing/sec_per_kimg', sec_per_kimg):<7.2f} "
              f"cpumem {report0('Resources/cpu_mem_gb', psutil.Process(os.getpid()).memory_info().rss / 2**30):<6.2f}",
              file=sys.stderr)
        snapshot(off, s, args, run_dir, cur_nimg, (grid_size, grid_z, grid_c))  # snap 50: tick 0 and the end
        collector.update()
        stats_jsonl.write(json.dumps(dict(collector.as_dict(), timestamp=time.time())) + '\n')
        stats_jsonl.flush()
        cur_tick += 1
        tick_start_nimg, tick_start_time = cur_nimg, time.time()
        maintenance_s += tick_start_time - tick_end
        if done:
            break
    stats_jsonl.close()
    t_end = time.time()
    return dict(images=cur_nimg, iters=batch_idx, ticks=cur_tick, grid=[int(v) for v in grid_size],
                startup_s=startup_s, loop_s=t_end - t_loop, tick_maintenance_s=maintenance_s,
                files=sorted(os.listdir(run_dir)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--official', required=True, help='stylegan2-ada-pytorch checkout')
    parser.add_argument('--pkl', default=os.path.join(FIXTURES, 'skip_rgb32.pkl'))
    parser.add_argument('--data', help='dataset zip/folder in the official layout (default: random images)')
    parser.add_argument('--random-images', type=int, default=1000, help='size of the random dataset')
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--workers', type=int, default=3, help='DataLoader processes (train.py: 3)')
    parser.add_argument('--kimg', type=float, default=1.0)
    parser.add_argument('--warmup', type=int, default=16, help='untimed iterations first (not in --whole-process)')
    parser.add_argument('--mixing', type=float, default=0.9, help='style_mixing_prob')
    parser.add_argument('--gamma', type=float, help="r1_gamma (default: the 'auto' cfg's)")
    parser.add_argument('--tick', type=float, default=4.0, help='kimg per tick (--whole-process)')
    parser.add_argument('--whole-process', action='store_true')
    parser.add_argument('--out', help='run folder for --whole-process')
    args = parser.parse_args()
    if args.whole_process and not args.out:
        parser.error('--whole-process needs --out RUN_DIR')
    torch.set_num_threads(args.threads)
    np.random.seed(0)  # random_seed 0, as the official loop seeds
    torch.manual_seed(0)
    off = import_official(args.official)
    s = build(off, args)
    result = dict(mode='whole-process' if args.whole_process else 'step', pkl=os.path.relpath(args.pkl, REPO),
                  data=args.data or f'random uint8 x{args.random_images}', batch=args.batch, threads=args.threads,
                  workers=args.workers, kimg=args.kimg, style_mixing_prob=args.mixing, r1_gamma=s.gamma,
                  ema_kimg=s.ema_kimg, torch=torch.__version__, loadavg_start=os.getloadavg())
    if args.whole_process:
        import psutil
        t_proc = psutil.Process(os.getpid()).create_time()
        result.update(whole_run(off, s, args, t_proc))
        t_end = time.time()
        result.update(seconds_from_process_start=t_end - t_proc, seconds_from_script_start=t_end - T_SCRIPT)
        result['img_per_s_whole'] = result['images'] / result['seconds_from_process_start']
    else:
        result.update(timed_run(off, s, args))
    result['loadavg_end'] = os.getloadavg()  # the machine is shared: a high load inflates every figure
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()
