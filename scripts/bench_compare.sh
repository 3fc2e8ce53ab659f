#!/usr/bin/env bash
# StyleScope vs the official PyTorch generator on this machine, side by side in one run: for each
# configuration, alternate the two (ROUNDS times) and report the medians and their ratio.
#   scripts/bench_compare.sh /path/to/stylegan2-ada-pytorch [threads] [configs...]
# Needs Debian's python3-torch (scripts/setup --fixtures) and a build in build/.
set -euo pipefail
official=${1:?usage: scripts/bench_compare.sh OFFICIAL_CHECKOUT [threads] [configs...]}
threads=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(paper256 stylegan2)
rounds=${ROUNDS:-3}
iters=${ITERS:-3}
cd "$(dirname "$0")/.."
for cfg in "${configs[@]}"; do
  ours=() theirs=()
  for ((r = 0; r < rounds; r++)); do
    ours+=("$(build/stylescope bench --config "$cfg" --threads "$threads" --iters "$iters" --warmup 1 --json 2>/dev/null |
              /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_img_median"])')")
    theirs+=("$(/usr/bin/python3 scripts/bench_official.py --official "$official" --config "$cfg" --threads "$threads" \
                --iters "$iters" --warmup 1 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ms_per_img_median"])')")
  done
  /usr/bin/python3 - "$cfg" "$threads" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
cfg, threads, ours, theirs = sys.argv[1], sys.argv[2], list(map(float, sys.argv[3].split())), list(map(float, sys.argv[4].split()))
o, t = statistics.median(ours), statistics.median(theirs)
print(f"{cfg:10s} threads {threads}: stylescope {o:9.1f} ms/img  official {t:9.1f} ms/img  ratio {o / t:.3f} ({t / o:.1f}x faster)")
print(f"           rounds: stylescope {ours}  official {theirs}")
PY
done
