#!/usr/bin/env bash
# Download a Tranco list by its ID, with its metadata, SHA-256 and a citation line, so that a
# scan of it can be traced to the exact list (datasets/README.md).
#
#   datasets/tranco.sh ID [SIZE] [DIR]
#     ID    the list's permanent ID, e.g. from https://tranco-list.eu/ ("Permanent citation link")
#     SIZE  how many ranks: a number (e.g. 1000000) or "full" (default: full)
#     DIR   where to write (default: datasets/)
#
# Writes DIR/tranco_ID[_SIZE].csv (`rank,domain` lines, which `mtasts scan` reads as they are),
# DIR/tranco_ID.meta.json (the list's metadata from the Tranco API) and DIR/tranco_ID[_SIZE].provenance.
# Needs curl and the Internet (our build machines have neither the route nor the need: this
# script is checked with `bash -n` only there).
set -euo pipefail

id=${1:?usage: tranco.sh ID [SIZE] [DIR]}
size=${2:-full}
dir=${3:-$(cd "$(dirname "$0")" && pwd)}
# List IDs are short letters and digits; refusing anything else keeps the URL and file names sane.
[[ $id =~ ^[A-Za-z0-9]{1,16}$ ]] || { echo "tranco.sh: '$id' is not a Tranco list ID" >&2; exit 2; }
[[ $size =~ ^([0-9]+|full)$ ]] || { echo "tranco.sh: SIZE must be a number or 'full'" >&2; exit 2; }

api=https://tranco-list.eu/api/lists/id/$id
url=https://tranco-list.eu/download/$id/$size
stem=$dir/tranco_$id$([ "$size" = full ] || echo "_$size")
mkdir -p "$dir"

# 1. The metadata: is the list there (a freshly requested custom list may still be generating)?
curl -fsS --retry 3 "$api" -o "$dir/tranco_$id.meta.json"
if ! grep -Eq '"available"[[:space:]]*:[[:space:]]*true' "$dir/tranco_$id.meta.json"; then
    echo "tranco.sh: list $id is not available (yet); metadata in $dir/tranco_$id.meta.json" >&2
    exit 1
fi

# 2. The list, to a temporary name first: an interrupted download never looks like a list.
curl -fsS --retry 3 "$url" -o "$stem.csv.part"
lines=$(wc -l < "$stem.csv.part")
[ "$lines" -gt 0 ] || { echo "tranco.sh: empty download from $url" >&2; exit 1; }
head -1 "$stem.csv.part" | grep -Eq '^[0-9]+,' || { echo "tranco.sh: $url did not return rank,domain lines" >&2; exit 1; }
mv "$stem.csv.part" "$stem.csv"

# 3. Provenance: the same SHA-256 that `mtasts scan` stores in scans.input_sha256.
sha=$(sha256sum "$stem.csv" | cut -d' ' -f1)
cat > "$stem.provenance" <<PROV
list_id: $id
size: $size
url: $url
metadata: $api
permanent_link: https://tranco-list.eu/list/$id
downloaded_at: $(date -u +%Y-%m-%dT%H:%M:%SZ)
lines: $lines
sha256: $sha
cite: Le Pochat, Van Goethem, Tajalizadehkhoob, Korczyński, Joosen. "Tranco: A Research-Oriented Top Sites Ranking Hardened Against Manipulation." NDSS 2019. List $id, https://tranco-list.eu/list/$id
PROV
echo "$stem.csv: $lines lines, sha256 $sha"
echo "scan it with: mtasts scan $stem.csv --db scan.db --label tranco-$id --contact URL"
