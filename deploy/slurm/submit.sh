#!/usr/bin/env bash
# Submit the shard array and, after it, the merge.
#   INPUT=/shared/top-1m.csv OUT=/shared/survey CONTACT=https://example.org/scan \
#   EHLO_NAME=scanner.example.org SHARDS=16 \
#     deploy/slurm/submit.sh [extra sbatch options for the array, e.g. --partition=long]
# CPUS_PER_TASK=N is each task's --cpus-per-task (its unbound gets one thread per CPU); default:
# the CPU count of the smallest node sinfo lists, so that the array can start on any node (a
# request larger than every node leaves it pending for ever, reason PartitionConfig). Other
# sbatch options (--mem, --time, --partition) go on the command line and override the
# #SBATCH lines.
# Everything else the array reads (MTASTS, UNBOUND_PORT, EXTRA_FLAGS, DEPLOY_DIR, UNBOUND_*) is passed on from
# the environment (--export=ALL). Run it from the repository's top directory, or set DEPLOY_DIR
# to a deploy/ directory every node can read.
set -euo pipefail
: "${INPUT:?set INPUT}" "${OUT:?set OUT}" "${CONTACT:?set CONTACT}" "${EHLO_NAME:?set EHLO_NAME}"
SHARDS=${SHARDS:-16}
here=$(cd "$(dirname "$0")" && pwd)
export INPUT OUT CONTACT EHLO_NAME SHARDS
export DEPLOY_DIR=${DEPLOY_DIR:-$(dirname "$here")}
if [ -z "${CPUS_PER_TASK:-}" ]; then
  CPUS_PER_TASK=$( (sinfo -h -N -o '%c' 2>/dev/null || true) | sort -n | head -1)
  [[ "${CPUS_PER_TASK:-}" =~ ^[1-9][0-9]*$ ]] || CPUS_PER_TASK=1
fi
mkdir -p "$OUT"

# --array on the command line overrides the #SBATCH line, so N is set in one place here
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" --cpus-per-task="$CPUS_PER_TASK" --export=ALL "$@" "$here/mtasts-array.sbatch")
array=${array%%;*}   # --parsable prints "jobid" or "jobid;cluster"
merge=$(sbatch --parsable --dependency="afterok:$array" --export=ALL "$here/merge.sbatch")
merge=${merge%%;*}
echo "array job $array ($SHARDS shards of $CPUS_PER_TASK CPUs into $OUT/shard-*.db); merge job $merge -> $OUT/merged.db"
