#!/usr/bin/env bash
# The first minutes on a GPU, in one call: the `cuda` tests, then BENCHMARKS.md-ready rows of
# hard-500 training speed (float32 and bfloat16, env / inference / update, peak GPU memory, projected 5M-step
# agent), evaluation of 100 agents x 1,000 levels on the GPU and on the CPU cores, and torch's import time.
# At most 8 minutes on one GPU (each stage has its own time limit). Writes nothing outside OUTDIR: the
# engine is built in a copy of the workflow there (unless MAZE_ENGINE_DIR names a built one), and pytest's
# temporary files, caches and the GPU lock files go there too.
#
#   benchmarks/gpu_check.sh OUTDIR          # on a GPU machine; the report is OUTDIR/report.md
#   benchmarks/gpu_check.sh OUTDIR --dry    # on the CPU: every stage with a tiny workload (CI runs it)
set -uo pipefail

usage() { echo "usage: $0 OUTDIR [--dry]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
OUT=$1
DRY=0
if [[ $# -eq 2 ]]; then [[ $2 == --dry ]] || usage; DRY=1; fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$REPO/.venv/bin/python}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)
REPORT=$OUT/report.md
: > "$REPORT"

export PYTHONPATH=$REPO PYTHONDONTWRITEBYTECODE=1 CSGM_GPU_LOCK_DIR=$OUT/locks CUDA_CACHE_PATH=$OUT/cuda-cache \
       XDG_CACHE_HOME=$OUT/cache MPLCONFIGDIR=$OUT/matplotlib TMPDIR=$OUT/tmp
mkdir -p "$TMPDIR"
failures=0

log() { echo "$*" | tee -a "$REPORT"; }

# stage NAME SECONDS COMMAND...: runs one stage under its time limit, its output in OUTDIR/NAME.log;
# its `row:` lines (and the text around them) go to the report.
stage() {
    local name=$1 limit=$2
    shift 2
    log ""
    log "## $name"
    local start=$SECONDS
    (cd "$REPO" && timeout "$limit" "$@") > "$OUT/$name.log" 2>&1
    local rc=$?
    grep -v '^row: ' "$OUT/$name.log" | tail -n 12 >> "$REPORT"
    grep '^row: ' "$OUT/$name.log" | sed 's/^row: //' | tee -a "$REPORT"
    log "(stage $name: exit $rc, $((SECONDS - start)) s)"
    [[ $rc -eq 0 ]] || failures=$((failures + 1))
}

log "# GPU check $(date -u +%Y-%m-%dT%H:%M:%SZ)$([[ $DRY -eq 1 ]] && echo ' (dry run on the CPU)')"
log "$("$PY" -c 'import platform, torch; print(f"{platform.node()}: torch {torch.__version__}, CUDA {torch.version.cuda}, " + (torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"))' 2>&1)"
command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee -a "$REPORT"

if [[ -z ${MAZE_ENGINE_DIR:-} ]]; then
    # A copy, so that the checkout's results/ and .snakemake/ stay untouched.
    mkdir -p "$OUT/workflow"
    for item in Snakefile config.yaml rules workflow_scripts cpp schemas report profiles; do
        cp -r "$REPO/$item" "$OUT/workflow/"
    done
    assets=$(cd "$REPO" && "$PY" -c 'from workflow_scripts.prepare_assets import ASSET_NAMES; print(" ".join(f"results/engine/assets/{n}.pam" for n in ASSET_NAMES))')
    stage engine 240 bash -c "cd '$OUT/workflow' && '$PY' -m snakemake --cores all results/engine/libmaze.so $assets"
    export MAZE_ENGINE_DIR=$OUT/workflow/results/engine
fi

if [[ $DRY -eq 1 ]]; then
    # The cuda tests' collection and skip reasons (in one process, -n 0, as below: they share one GPU); the stages
    # below on the CPU with tiny workloads.
    stage cuda_tests 120 "$PY" -m pytest -m cuda -n 0 -q -rs -p no:cacheprovider --basetemp="$OUT/pytest" \
        tests/test_cuda.py
    TRAIN=(--device cpu --n_envs 4 --n_steps 8 --iterations 1 --set torch_threads=1 env_threads=0 epochs=1)
    EVAL_GPU=(--device cpu --agents 1 --levels 4 --threads 1 --cores 1)
    EVAL_CPU=(--device cpu --agents 1 --levels 4 --threads 1)
else
    stage cuda_tests 240 "$PY" -m pytest -m cuda -n 0 -q -rs -p no:cacheprovider --basetemp="$OUT/pytest" \
        tests/test_cuda.py
    TRAIN=(--device cuda --iterations 2)
    EVAL_GPU=(--device cuda --agents 10 --threads 4)
    EVAL_CPU=(--device cpu --agents 2 --threads 1)
fi

log ""
log "Training rows: | set | device | envs x steps | precision | torch threads | steps/s | env | inference | update | peak GPU memory | 5M-step agent |"
stage train_float32 75 "$PY" benchmarks/train_speed.py --ppo hard-500 "${TRAIN[@]}"
stage train_bfloat16 75 "$PY" benchmarks/train_speed.py --ppo hard-500 "${TRAIN[@]}" --set bf16=true
log ""
log "Evaluation rows: | device | agents x levels measured | threads per job | per agent | jobs side by side | 100 agents x 1,000 levels |"
stage eval_gpu 60 "$PY" benchmarks/eval_many.py "${EVAL_GPU[@]}"
stage eval_cpu 60 "$PY" benchmarks/eval_many.py "${EVAL_CPU[@]}"
stage startup 20 "$PY" -c 'import time; t = time.perf_counter(); import torch; print(f"row: | import torch | {time.perf_counter() - t:.2f} s |")'

log ""
log "failed stages: $failures"
[[ $failures -eq 0 ]]
