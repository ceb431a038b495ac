#!/usr/bin/env bash
# make docker-check: deploy/Dockerfile built for real, offline but for Debian's archive, and the
# image run on the loopback test world. Nothing is pulled from a registry:
#   1. a private dockerd (Debian's docker.io) with its own data-root, exec-root and socket under
#      DIR, no bridge and no iptables (--bridge=none --iptables=false): every build step and
#      container uses the host's network (--network host);
#   2. debian:12 made with debootstrap (minbase, bookworm, from the mirror /etc/apt/sources.list*
#      names) and `docker import`;
#   3. the builder base (SWIFT_IMAGE of deploy/Dockerfile; the official swift:*-bookworm image
#      cannot be pulled here): that debian:12, the packages the official image installs for its
#      toolchain, this host's Swift toolchain (/opt/swift/usr, without the debugger and the IDE
#      parts) copied into /usr, and a git mirror of the one pinned Swift dependency (from this
#      host's package mirror, /etc/gitconfig's url.insteadOf, or its SwiftPM cache) that git in
#      the image uses instead of GitHub;
#   4. `docker build -f deploy/Dockerfile --build-arg SWIFT_IMAGE=<that> --network host .`, with
#      BuildKit (it reads deploy/Dockerfile.dockerignore);
#   5. the image: `mtasts version`, Debian 12 inside, and `mtasts scan` of a sample of the world
#      (one domain of every kind, a few of the common ones) with --network host, its export
#      compared with the world's truth (Tests/E2E/compare_truth.py); then deploy/parallel.sh from
#      the image (/opt/mtasts/deploy) with the image's unbound as the local resolver.
# Prints each step's duration and the disk it used; the last line is 'docker-check: N passed, M
# failed'. dockerd is stopped at the end and DIR removed (DOCKER_CHECK_KEEP=1 keeps it).
#
#   Tests/Deploy/docker_check.sh WORLD_DIR [MTASTS_REPO]
# Environment: DOCKER_CHECK_DIR (default /tmp/mtasts-docker-check), SWIFT_TOOLCHAIN (/opt/swift),
# DOCKER_CLI (/usr/bin/docker, Debian's),
# DEPLOY_UNBOUND_PORT (5391): the port of the image's unbound in step 5.
set -uo pipefail
W=${1:?usage: docker_check.sh WORLD_DIR}
W=$(cd "$W" && pwd)
ROOT=$(cd "${2:-$(dirname "$0")/../..}" && pwd)
D=${DOCKER_CHECK_DIR:-/tmp/mtasts-docker-check}
TC=${SWIFT_TOOLCHAIN:-/opt/swift}
UPORT=${DEPLOY_UNBOUND_PORT:-5391}
. "$W/ports.env"
pass=0; fail=0
ok() { echo "  ok    $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL  $*"; fail=$((fail + 1)); }
t0=$(date +%s); tstep=$t0
step() { local now; now=$(date +%s); echo "docker-check: $1 ($((now - tstep)) s; $(du -sh "$D" 2>/dev/null | cut -f1) in $D)"; tstep=$now; }
finish() {
  if [ -s "$D/dockerd.pid" ]; then
    pid=$(cat "$D/dockerd.pid"); kill "$pid" 2>/dev/null
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { echo "docker-check: dockerd outlived SIGTERM, killed"; kill -9 "$pid"; }
  fi
  # containerd-shims and the dockerd-managed containerd live under the exec-root
  for p in $(pgrep -f "$D/exec" 2>/dev/null); do kill "$p" 2>/dev/null; done
  # what dockerd leaves mounted: the host network namespace's handle, overlay mounts
  for m in $(awk -v d="$D/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do umount "$m" 2>/dev/null; done
  if [ "${DOCKER_CHECK_KEEP:-0}" != 1 ]; then rm -rf "$D" 2>/dev/null || echo "docker-check: could not remove $D"; fi
  echo "docker-check: $(( $(date +%s) - t0 )) s in all; at most $peak of disk"
  echo "docker-check: $pass passed, $fail failed"
}
peak=0
measure() { local s; s=$(du -sm "$D" 2>/dev/null | cut -f1); [ "${s:-0}" -gt "$peak" ] && peak=$s; true; }
trap 'measure; peak="${peak} MB"; finish' EXIT

# Debian's docker CLI (docker.io), which drives the daemon's own BuildKit; another `docker` on the
# PATH (e.g. a newer CLI in /usr/local/bin) wants the buildx plugin for BuildKit.
DOCKER_CLI=${DOCKER_CLI:-/usr/bin/docker}
docker() { "$DOCKER_CLI" "$@"; }
[ -x "$DOCKER_CLI" ] || { bad "$DOCKER_CLI is installed (apt-get install docker.io; make docker-check does)"; exit 1; }
for b in dockerd debootstrap; do
  command -v "$b" >/dev/null || { bad "$b is installed (apt-get install docker.io debootstrap; make docker-check does)"; exit 1; }
done
[ -x "$TC/usr/bin/swift" ] || { bad "a Swift toolchain at $TC (SWIFT_TOOLCHAIN)"; exit 1; }
rm -rf "$D"; mkdir -p "$D"

# 1. dockerd
dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" -H "unix://$D/docker.sock" \
  --bridge=none --iptables=false --ip6tables=false --ip-masq=false >"$D/dockerd.log" 2>&1 &
export DOCKER_HOST="unix://$D/docker.sock"
for _ in $(seq 1 300); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
if docker version >/dev/null 2>&1; then ok "a private dockerd on $D/docker.sock ($(docker version -f '{{.Server.Version}}'), $(docker info -f '{{.Driver}}'))"
else tail -20 "$D/dockerd.log"; bad "dockerd came up"; exit 1; fi
step "dockerd up"

# 2. debian:12 from debootstrap
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
  | head -1 | awk '{print $NF}')
mirror=${mirror:-http://deb.debian.org/debian}
if debootstrap --variant=minbase bookworm "$D/rootfs" "$mirror" >"$D/debootstrap.log" 2>&1 \
   && tar -C "$D/rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:12 >/dev/null; then
  ok "debian:12 made with debootstrap from $mirror and docker import"
else tail -20 "$D/debootstrap.log"; bad "debootstrap + docker import"; exit 1; fi
rm -rf "$D/rootfs"; measure
step "debian:12 imported"

# 3. the builder base: toolchain, its packages, the dependency mirror
tar -C "$TC" -c --exclude='usr/bin/lldb*' --exclude='usr/lib/liblldb*' --exclude='usr/lib/libsourcekitdInProc.so' \
  --exclude='usr/bin/sourcekit-lsp' --exclude='usr/bin/clangd' --exclude='usr/bin/docc' --exclude='usr/share/docc' usr \
  | docker import - mtasts-swift-toolchain:local >/dev/null || { bad "the host's toolchain imported"; exit 1; }
mkdir -p "$D/builder"
# the pinned dependency from where this host's own builds get it: the machine's package mirror
# (git's url.insteadOf in /etc/gitconfig), else SwiftPM's cache of it
dep=$(git config --system --get-regexp '^url\..*\.insteadof$' 'https://github.com/' 2>/dev/null | head -1 | sed -E 's/^url\.(.*)\.insteadof .*/\1/')
dep=${dep:+${dep%/}/apple/swift-argument-parser.git}
[ -n "$dep" ] && [ -d "$dep" ] || dep=$(ls -d "$HOME"/.swiftpm/cache/repositories/swift-argument-parser-* 2>/dev/null | head -1)
[ -n "$dep" ] && git clone -q --mirror "$dep" "$D/builder/swift-argument-parser.git" \
  || { bad "swift-argument-parser in this host's package mirror or SwiftPM cache"; exit 1; }
cat > "$D/builder/Dockerfile" <<'DOCKERFILE'
# what the official swift:*-bookworm image installs for its toolchain, then this host's toolchain
FROM debian:12
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libpython3-dev \
      libsqlite3-0 libstdc++-12-dev libxml2-dev libncurses-dev libz3-dev pkg-config tzdata zlib1g-dev \
      ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=mtasts-swift-toolchain:local /usr/ /usr/
# no GitHub here: git fetches the one pinned dependency from a mirror inside the image
COPY swift-argument-parser.git /opt/mirrors/swift-argument-parser.git
RUN git config --system url."file:///opt/mirrors/swift-argument-parser.git".insteadOf https://github.com/apple/swift-argument-parser \
 && swift --version
DOCKERFILE
if DOCKER_BUILDKIT=1 docker build -q --network host -t mtasts-swift-builder:local "$D/builder" >"$D/builder.log" 2>&1; then
  ok "the builder base mtasts-swift-builder:local (debian:12 + $("$TC/usr/bin/swift" --version 2>/dev/null | head -1 | sed 's/ (.*//'))"
else tail -30 "$D/builder.log"; bad "the builder base built"; exit 1; fi
docker image rm -f mtasts-swift-toolchain:local >/dev/null 2>&1; measure
step "builder base built"

# 4. deploy/Dockerfile, for real
if (cd "$ROOT" && DOCKER_BUILDKIT=1 docker build --progress=plain --network host -f deploy/Dockerfile \
      --build-arg SWIFT_IMAGE=mtasts-swift-builder:local -t mtasts:check .) >"$D/build.log" 2>&1; then
  ok "deploy/Dockerfile builds (image $(docker image inspect -f '{{.Size}}' mtasts:check | awk '{printf "%d MB", $1/1e6}'))"
else tail -40 "$D/build.log"; bad "deploy/Dockerfile builds"; exit 1; fi
measure
step "deploy/Dockerfile built"

# 5. the image on the test world
run() { docker run --rm --network host -v "$W:$W:ro" -v "$D/out:/data" mtasts:check "$@"; }
mkdir -p "$D/out"
v=$(run mtasts version 2>&1 | head -1); [[ "$v" == mtasts\ * ]] && ok "mtasts version in the image: $v" || bad "mtasts version in the image"
deb=$(run cat /etc/debian_version 2>&1); [[ "$deb" == 12.* ]] && ok "the image is Debian $deb" || bad "the image is Debian 12 ($deb)"
python3 - "$W/truth.jsonl" "$D/out" <<'PY'
import json, sys, os
per = {"no-sts": 6, "plain-enforce": 4, "plain-testing": 3, "plain-none": 2, "no-sts-own-mx": 2, "plain-own-mx": 2}
taken = {}
with open(os.path.join(sys.argv[2], "sample.txt"), "w") as fi, open(os.path.join(sys.argv[2], "truth.jsonl"), "w") as ft:
    for line in open(sys.argv[1]):
        t = json.loads(line); k = t.get("kind", "?")
        if taken.get(k, 0) < per.get(k, 1):
            taken[k] = taken.get(k, 0) + 1; fi.write(t["input"] + "\n"); ft.write(line)
PY
FLAGS=(--ca-file "$W/ca/ca.crt" --https-port "$WORLD_HTTPS_PORT" --smtp-port "$WORLD_SMTP_PORT" --timeout 5
       --per-address-backoff 2 --exclude "$W/exclude.txt" --ehlo-name scanner.mtasts.test)
run mtasts scan /data/sample.txt --db /data/warm.db --no-smtp --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" "${FLAGS[@]}" >/dev/null 2>&1
if run mtasts scan /data/sample.txt --db /data/scan.db --resolver "$WORLD_DNS_IP:$WORLD_DNS_PORT" "${FLAGS[@]}" >"$D/scan.log" 2>&1 \
   && run mtasts export --db /data/scan.db --format jsonl --output /data/scan.jsonl >>"$D/scan.log" 2>&1 \
   && python3 "$ROOT/Tests/E2E/compare_truth.py" "$D/out/truth.jsonl" "$D/out/scan.jsonl" >"$D/cmp.txt"; then
  ok "the image's mtasts scan of $(wc -l < "$D/out/sample.txt") world domains (--network host) agrees with truth ($(tail -1 "$D/cmp.txt"))"
else tail -5 "$D/scan.log"; tail -15 "$D/cmp.txt" 2>/dev/null; bad "the image's scan agrees with the world's truth"; fi
# deploy/parallel.sh as shipped in the image, its own unbound (forwarding to the world) as resolver
if docker run --rm --network host -v "$W:$W:ro" -v "$D/out:/data" \
     -e SHARDS=2 -e LOCAL_UNBOUND=1 -e UNBOUND_PORT="$UPORT" -e UNBOUND_FORWARD="$WORLD_DNS_IP@$WORLD_DNS_PORT" \
     -e UNBOUND_TRUST_ANCHOR="$W/zones/test.anchor" -e UNBOUND_SERVER_EXTRA='local-zone: "test." nodefault' \
     -e UNBOUND_CACHE=16m -e EXTRA_FLAGS="${FLAGS[*]}" \
     mtasts:check /opt/mtasts/deploy/parallel.sh /data/sample.txt /data/par >"$D/parallel.log" 2>&1 \
   && run mtasts export --db /data/par/merged.db --format jsonl --output /data/par.jsonl >>"$D/parallel.log" 2>&1 \
   && python3 "$ROOT/Tests/E2E/compare_truth.py" "$D/out/truth.jsonl" "$D/out/par.jsonl" >"$D/cmp2.txt"; then
  ok "deploy/parallel.sh inside the image (2 shards, its unbound) merged agrees with truth ($(tail -1 "$D/cmp2.txt"))"
else tail -8 "$D/parallel.log"; tail -15 "$D/cmp2.txt" 2>/dev/null; bad "deploy/parallel.sh inside the image agrees with the world's truth"; fi
measure
step "image run on the world"
