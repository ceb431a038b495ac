#!/bin/bash
# Install the world's servers and tools from Debian, idempotently, without starting
# their system services (policy-rc.d exit 101), plus python3-cryptography via pip
# only when the interpreter on PATH lacks it.
set -euo pipefail
# gcc and libc6-dev: the latency world's delay proxy (bench/latency/delay_proxy.c) is compiled by world.sh
PKGS="nsd unbound nginx-light postfix bind9-dnsutils ldnsutils dnsperf nghttp2-client curl openssl procps python3-pip gcc libc6-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "world-deps: installing:$missing"
  if [ ! -f /usr/sbin/policy-rc.d ] || ! grep -q 'exit 101' /usr/sbin/policy-rc.d; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d
  fi
  # postfix asks a debconf question; "No configuration" leaves /etc/postfix unused.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
else
  echo "world-deps: Debian packages present"
fi
# deterministic certificates need cryptography >= 44 (ecdsa_deterministic); Debian 12 ships 38
if ! python3 -c 'import cryptography' 2>/dev/null || ! python3 - <<'PY' 2>/dev/null
import inspect
from cryptography import x509
assert "ecdsa_deterministic" in inspect.signature(x509.CertificateBuilder.sign).parameters
PY
then
  python3 -m pip install -q --upgrade cryptography 2>/dev/null \
    || python3 -m pip install -q --upgrade --break-system-packages cryptography
fi
# unbound's AppArmor profile (on hosts that have AppArmor) blocks configs outside /etc.
if command -v aa-complain >/dev/null 2>&1 && [ -e /etc/apparmor.d/usr.sbin.unbound ]; then
  aa-complain /usr/sbin/unbound || true
fi
echo "world-deps: ok"
