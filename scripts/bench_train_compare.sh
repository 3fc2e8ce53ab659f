#!/usr/bin/env bash
# Issue 7's training benchmark, side by side in one run: a whole `stylescope train` process fine-tuning PKL for
# KIMG kimg at batch BATCH (start-up, first and last sample grids and snapshots included) against the official
# training loop doing the same (scripts/bench_official_train.py --whole-process), alternated ROUNDS times;
# prints each side's median seconds and img/s and the ratio.
#   scripts/bench_train_compare.sh OFFICIAL_CHECKOUT PKL [DATA] [threads]
#   (ROUNDS=3 KIMG=1 BATCH=8; DATA: a dataset zip in the official layout, default random images)
# DATA is best a folder (an unpacked dataset zip): the official loader reads a zip through one file handle that
# its forked workers share, which now and then fails ("Overlapped entries", "Bad CRC-32").
# Needs Debian's python3-torch and a build in build/. Make a default-model-shaped PKL with
# scripts/make_bench_model.py.
set -euo pipefail
official=${1:?usage: scripts/bench_train_compare.sh OFFICIAL_CHECKOUT PKL [DATA] [threads]}
pkl=$2
data=${3:-}
threads=${4:-2}
rounds=${ROUNDS:-3} kimg=${KIMG:-1} batch=${BATCH:-8}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap '[[ -f $tmp/official.err ]] && tail -3 "$tmp/official.err"; rm -rf "$tmp"' EXIT
official_data=() our_data=()
if [[ -n $data ]]; then
  official_data=(--data "$data")
  our_data=(--data "$data")
else
  # The official script makes random images itself; StyleScope gets a folder of the same kind.
  /usr/bin/python3 - "$tmp/random" "$pkl" <<'PY'
import os, sys, zlib, struct
import numpy as np
out = sys.argv[1]
os.makedirs(out)
sys.path.insert(0, 'tests/fixtures')
import fixture_pickle as fp
top, _ = fp.load(sys.argv[2])
kw = top['G_ema'].state['_init_kwargs']
res, ch = int(kw['img_resolution']), int(kw['img_channels'])
rng = np.random.RandomState(0)
for i in range(1000):
    img = rng.randint(0, 256, size=(res, res, ch), dtype=np.uint8)
    raw = b''.join(b'\0' + img[y].tobytes() for y in range(res))
    def chunk(k, d): return struct.pack('>I', len(d)) + k + d + struct.pack('>I', zlib.crc32(k + d) & 0xffffffff)
    color = {1: 0, 3: 2, 4: 6}[ch]
    with open(f'{out}/{i:04d}.png', 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', res, res, 8, color, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
PY
  our_data=(--data "$tmp/random")
fi
ours=() theirs=()
for ((r = 0; r < rounds; r++)); do
  rm -rf "$tmp/ours" "$tmp/official"
  t0=$(date +%s.%N)
  build/stylescope train "${our_data[@]}" --resume "$pkl" --out "$tmp/ours" --kimg "$kimg" --batch "$batch" \
    --threads "$threads" >/dev/null 2>&1
  ours+=("$(echo "$(date +%s.%N) - $t0" | bc)")
  theirs+=("$(/usr/bin/python3 scripts/bench_official_train.py --official "$official" --pkl "$pkl" "${official_data[@]}" \
    --batch "$batch" --threads "$threads" --kimg "$kimg" --whole-process --out "$tmp/official" 2>"$tmp/official.err" |
    /usr/bin/python3 -c 'import json,sys; t=sys.stdin.read(); print(json.loads(t[t.rindex("{\n \"mode\""):])["seconds_from_process_start"])')")
  echo "round $((r + 1)): stylescope ${ours[-1]} s, official ${theirs[-1]} s"
done
/usr/bin/python3 - "$kimg" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
kimg, ours, theirs = float(sys.argv[1]), list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
o, t = statistics.median(ours), statistics.median(theirs)
print(f"stylescope {o:.1f} s ({kimg * 1000 / o:.1f} img/s)  official {t:.1f} s ({kimg * 1000 / t:.1f} img/s)  "
      f"ratio {t / o:.2f}x")
PY
