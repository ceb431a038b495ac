#!/usr/bin/env bash
# Submit the shard array and, after it, the merge.
#   INPUT=/shared/top-1m.csv OUT=/shared/survey CONTACT=https://example.org/scan \
#   EHLO_NAME=scanner.example.org SHARDS=16 \
#     deploy/slurm/submit.sh [extra sbatch options for the array, e.g. --partition=long]
# Everything else the array reads (MTASTS, UNBOUND_PORT, EXTRA_FLAGS, DEPLOY_DIR, UNBOUND_*) is passed on from
# the environment (--export=ALL). Run it from the repository's top directory, or set DEPLOY_DIR
# to a deploy/ directory every node can read.
set -euo pipefail
: "${INPUT:?set INPUT}" "${OUT:?set OUT}" "${CONTACT:?set CONTACT}" "${EHLO_NAME:?set EHLO_NAME}"
SHARDS=${SHARDS:-16}
here=$(cd "$(dirname "$0")" && pwd)
export INPUT OUT CONTACT EHLO_NAME SHARDS
export DEPLOY_DIR=${DEPLOY_DIR:-$(dirname "$here")}
mkdir -p "$OUT"

# --array on the command line overrides the #SBATCH line, so N is set in one place here
array=$(sbatch --parsable --array="0-$((SHARDS - 1))" --export=ALL "$@" "$here/mtasts-array.sbatch")
array=${array%%;*}   # --parsable prints "jobid" or "jobid;cluster"
merge=$(sbatch --parsable --dependency="afterok:$array" --export=ALL "$here/merge.sbatch")
merge=${merge%%;*}
echo "array job $array ($SHARDS shards into $OUT/shard-*.db); merge job $merge -> $OUT/merged.db"
