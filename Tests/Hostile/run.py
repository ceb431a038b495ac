#!/usr/bin/env python3
"""Run the real mtasts binary against the hostile world and check it against cases.json.

    run.py MTASTS_BIN

Brings up hostile_dns.py and hostile_servers.py on loopback (a fresh CA and certificate made with
the openssl command), scans each case group with the binary (its wall time and peak RSS taken
from wait4, so per process), reads each group's SQLite database and checks every case of
cases.json: status, mx_status, finding codes present and absent, the canaries' log, and the
bounds on seconds (the domain's stored millis, or the run's wall time) and on MB. Prints one line
per case and last 'hostile: N passed, M failed'; exit 1 on any failure. The servers are always
stopped, by pid, whatever happens.

Environment (all optional): HOSTILE_NET (127.77), HOSTILE_DNS_PORT (5753), HOSTILE_HTTPS_PORT
(8843), HOSTILE_SMTP_PORT (2925), HOSTILE_POLITE_N (300 policy hosts on one address),
HOSTILE_LIMITED_CAP (5 connections served at once there), HOSTILE_LIMITED_HOLD (0.1 s each),
HOSTILE_GROUPS (e.g. "dns tarpit": only these groups), HOSTILE_KEEP (keep the temp dir),
HOSTILE_TABLE (also write the results as a Markdown table to this file), HOSTILE_EXTRA_FLAGS
(added to every scan: for experiments, e.g. "--concurrency 4").
"""
import ctypes
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from hostile_zone import Zone  # noqa: E402

GROUP_CAP = 300          # a scan still running after this is killed (and its cases fail)
SIGINT_CAP = 90          # after SIGINT, how long to wait for the exit before SIGKILL
TMP = [None]


def env(k, d):
    return os.environ.get(k) or d


def make_certs(d, hosts):
    """A CA and one leaf certificate naming every policy host and mx.hostile.test (openssl CLI)."""
    def ossl(*a):
        subprocess.run(("openssl",) + a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=d)
    ossl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key")
    ossl("req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=mtasts hostile test CA", "-days", "3650",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-out", "ca.crt")
    ossl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "leaf.key")
    ossl("req", "-new", "-key", "leaf.key", "-subj", "/CN=mx.hostile.test", "-out", "leaf.csr")
    with open(os.path.join(d, "leaf.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=" + ",".join("DNS:" + h for h in ["mx.hostile.test"] + hosts) + "\n")
    ossl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "3650", "-extfile", "leaf.ext", "-out", "leaf.crt")


class World:
    def __init__(self, tmp, cfg):
        self.tmp, self.cfg, self.procs = tmp, cfg, []

    def start(self, script, name):
        pidfile = os.path.join(self.tmp, name + ".pid")
        log = open(os.path.join(self.tmp, name + ".log"), "w")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, script), self.conf, pidfile],
                             stdout=log, stderr=log)
        self.procs.append(p)
        for _ in range(200):
            if os.path.exists(pidfile) or p.poll() is not None:
                break
            time.sleep(0.05)
        if not os.path.exists(pidfile):
            raise RuntimeError("%s did not start: %s" % (name, open(log.name).read()[-2000:]))

    def up(self):
        self.conf = os.path.join(self.tmp, "conf.json")
        json.dump(self.cfg, open(self.conf, "w"))
        self.start("hostile_dns.py", "dns")
        self.start("hostile_servers.py", "servers")

    def down(self):
        for p in self.procs:          # only the processes this run started, by pid
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def die_with_parent():
    """In the scan's child process: the kernel kills it if this runner dies, even by SIGKILL."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)    # PR_SET_PDEATHSIG


def run_scan(argv, errpath, cap=GROUP_CAP, sigint_after=None):
    """-> dict(rc, wall, mb, stop): stop is the seconds from SIGINT to exit, when one was sent."""
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(errpath, "w"), preexec_fn=die_with_parent)
    t0 = time.monotonic()
    t_int = None
    try:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            now = time.monotonic() - t0
            if sigint_after is not None and t_int is None and now >= sigint_after:
                os.kill(p.pid, signal.SIGINT)
                t_int = now
            if (t_int is not None and now - t_int > SIGINT_CAP) or now > cap:
                os.kill(p.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
    except BaseException:          # this runner is being stopped: so is its scan, by its pid
        os.kill(p.pid, signal.SIGKILL)
        os.wait4(p.pid, 0)
        p.returncode = -9
        raise
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - t0
    return {"rc": p.returncode, "wall": wall, "mb": ru.ru_maxrss / 1024.0,
            "stop": (wall - t_int) if t_int is not None else None}


def domain_rows(db, where, arg):
    rows = []
    for did, dom, status, mx_status, millis in db.execute(
            "SELECT id, domain, status, mx_status, millis FROM domains WHERE domain %s ?" % where, (arg,)):
        codes = {c for (c,) in db.execute("SELECT code FROM findings WHERE domain_id = ?", (did,))}
        details = {}
        for code, det in db.execute("SELECT code, detail FROM findings WHERE domain_id = ?", (did,)):
            details.setdefault(code, []).append(det or "")
        hosts = [h for (h,) in db.execute("SELECT host FROM mx_hosts WHERE domain_id = ? ORDER BY ordinal", (did,))]
        flagged = {h for (h,) in db.execute(
            "SELECT host FROM findings WHERE domain_id = ? AND code = 'mx-invalid-hostname'", (did,))}
        rows.append({"domain": dom, "status": status, "mx_status": mx_status,
                     "seconds": (millis or 0) / 1000.0, "codes": codes, "details": details, "hosts": hosts, "flagged": flagged})
    return rows


def main():
    binary = os.path.abspath(sys.argv[1])
    net = env("HOSTILE_NET", "127.77")
    cfg = {"net": net, "dns_ip": net + ".0.1", "dns_port": int(env("HOSTILE_DNS_PORT", "5753")),
           "https_port": int(env("HOSTILE_HTTPS_PORT", "8843")), "smtp_port": int(env("HOSTILE_SMTP_PORT", "2925")),
           "polite_n": int(env("HOSTILE_POLITE_N", "300")), "limited_cap": int(env("HOSTILE_LIMITED_CAP", "5")),
           "limited_hold": float(env("HOSTILE_LIMITED_HOLD", "0.1"))}
    table = json.load(open(os.path.join(HERE, "cases.json")))
    groups = env("HOSTILE_GROUPS", " ".join(table["groups"])).split()
    tmp = TMP[0] = tempfile.mkdtemp(prefix="mtasts-hostile.")
    cfg.update(cert=os.path.join(tmp, "leaf.crt"), key=os.path.join(tmp, "leaf.key"),
               canary_log=os.path.join(tmp, "canary.log"))
    open(cfg["canary_log"], "w").close()
    zone = Zone(cfg)
    make_certs(tmp, zone.policy_hosts())
    with open(os.path.join(tmp, "exclude.txt"), "w") as f:
        f.write("# the canaries' addresses: nothing may ever connect to them\n%s.0.64/28\n" % net)
    world = World(tmp, cfg)

    def on_signal(sig, _):
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    results = {}
    t_all = time.monotonic()
    try:
        world.up()
        common = [binary, "scan", "--resolver", "%s:%d" % (cfg["dns_ip"], cfg["dns_port"]),
                  "--ca-file", os.path.join(tmp, "ca.crt"), "--https-port", str(cfg["https_port"]),
                  "--smtp-port", str(cfg["smtp_port"]), "--ehlo-name", "scanner.hostile.test",
                  "--exclude", os.path.join(tmp, "exclude.txt")]
        for g in groups:
            inp = os.path.join(tmp, g + ".txt")
            with open(inp, "w") as f:
                f.write("".join(d + "\n" for d in zone.inputs[g]))
            db = os.path.join(tmp, g + ".db")
            argv = (common[:2] + [inp, "--db", db] + common[2:] + table["groups"][g]["flags"]
                    + os.environ.get("HOSTILE_EXTRA_FLAGS", "").split())
            after = table["groups"][g].get("sigint_after")
            r = run_scan(argv, os.path.join(tmp, g + ".err"), sigint_after=after)
            r["db"], r["lines"] = db, len(zone.inputs[g])
            if after is not None:
                r["resume"] = run_scan(argv + ["--resume"], os.path.join(tmp, g + "-resume.err"))
            results[g] = r
            print("hostile: group %s: %d domains, exit %s, %.1f s, %.0f MB"
                  % (g, r["lines"], r["rc"], r["wall"], r["mb"]), flush=True)
    finally:
        world.down()
    total = time.monotonic() - t_all
    for name in ("dns", "servers"):     # what the servers said of themselves, e.g. a canary port
        for line in open(os.path.join(tmp, name + ".log"), errors="replace"):   # someone else holds
            if line.startswith("hostile_") or "Error" in line:
                print(line.rstrip()[:300])
    canary = open(cfg["canary_log"]).read().splitlines()

    passed = failed = 0
    lines = []
    fmt = {"net": net, "net_esc": net.replace(".", "\\."), "https": cfg["https_port"], "smtp": cfg["smtp_port"]}
    for c in table["cases"]:
        g = c["group"]
        if g != "all" and g not in results:
            continue
        problems, secs, mb, detail = [], None, None, ""
        special = c.get("special")
        if special == "canary-all":
            secs, mb = total, max(r["mb"] for r in results.values())
            detail = "%d connections" % len(canary)
            if canary:
                problems.append("canary log: " + "; ".join(canary[:6]))
        elif special == "group":
            r = results[g]
            secs, mb = r["wall"], r["mb"]
            detail = "exit %d" % r["rc"]
            if r["rc"] != 0:
                problems.append("exit %d: %s" % (r["rc"], open(os.path.join(tmp, g + ".err")).read()[-300:].strip()))
        elif special == "sigint-stop":
            r = results[g]
            secs, mb = r["stop"], r["mb"]
            detail = "exit %d" % r["rc"]
            if r["rc"] != 130:
                problems.append("exit %d, not 130" % r["rc"])
        elif special == "sigint-resume":
            r = results[g]["resume"]
            secs, mb = r["wall"], r["mb"]
            db = sqlite3.connect(results[g]["db"])
            rows, distinct = db.execute("SELECT count(*), count(DISTINCT line_no) FROM domains").fetchone()
            scans, unfinished = db.execute("SELECT count(*), sum(finished_at IS NULL) FROM scans").fetchone()
            detail = "exit %d, %d rows for %d lines, %d scan row(s)" % (r["rc"], rows, results[g]["lines"], scans)
            if r["rc"] != 0 or rows != results[g]["lines"] or distinct != rows or scans != 1 or unfinished:
                problems.append(detail + (", unfinished" if unfinished else ""))
        elif special == "polite-all":
            r = results[g]
            secs, mb = r["wall"], r["mb"]
            db = sqlite3.connect(r["db"])
            statuses = dict(db.execute("SELECT status, count(*) FROM domains GROUP BY status").fetchall())
            timeouts = db.execute("SELECT count(*) FROM findings WHERE code = 'policy-timeout'").fetchone()[0]
            detail = "%s; %d policy-timeout" % (", ".join("%s %d" % kv for kv in sorted(statuses.items())), timeouts)
            if statuses.get("valid", 0) != r["lines"] or timeouts:
                problems.append(detail)
        else:
            db = sqlite3.connect(results[g]["db"])
            rows = (domain_rows(db, "=", c["domain"]) if "domain" in c
                    else domain_rows(db, "LIKE", c["domain_like"]))
            mb = results[g]["mb"]
            want = c.get("count", 1)
            if len(rows) != want:
                problems.append("%d rows stored, want %d" % (len(rows), want))
            secs = max([row["seconds"] for row in rows] or [0])
            for row in rows:
                p = []
                if c.get("status") and row["status"] != c["status"]:
                    p.append("status %s" % row["status"])
                if c.get("mx_status") and row["mx_status"] != c["mx_status"]:
                    p.append("mx_status %s" % row["mx_status"])
                p += ["no %s" % k for k in c.get("present", []) if k not in row["codes"]]
                p += ["has %s" % k for k in c.get("absent", []) if k in row["codes"]]
                for code, want in c.get("detail", {}).items():
                    got = row["details"].get(code, [])
                    if not any(want in d for d in got):
                        p.append("%s detail %r, want one with %r" % (code, got, want))
                if "raw_mx" in c:
                    # The hostile name is kept as evidence, as answered (RFC 1035 presentation
                    # form), in the MX set and in the finding's host.
                    raw = c["raw_mx"].format(**fmt)
                    if row["hosts"] != [raw] or row["flagged"] != {raw}:
                        p.append("MX stored as %r, flagged %r, want %r" % (row["hosts"], sorted(row["flagged"]), raw))
                if p:
                    problems.append("%s: %s" % (row["domain"], ", ".join(p)))
            for pat in c.get("canary", []):
                pat = pat.format(**fmt)
                hits = [l for l in canary if (" " + pat) in l]
                if hits:
                    problems.append("contacted %s (%d connections)" % (pat, len(hits)))
            detail = ", ".join(sorted({"%s/%s" % (r["status"], r["mx_status"]) for r in rows}))
        if secs is not None and c["max_seconds"] and secs > c["max_seconds"]:
            problems.append("%.1f s > %d s" % (secs, c["max_seconds"]))
        if mb is not None and c["max_rss_mb"] and mb > c["max_rss_mb"]:
            problems.append("%.0f MB > %d MB" % (mb, c["max_rss_mb"]))
        ok = not problems
        passed += ok
        failed += not ok
        name = c["case"].format(net=net)
        line = "%-4s %-52s %6s s %5s MB  %s" % ("ok" if ok else "FAIL", name,
                                                "-" if secs is None else "%.1f" % secs,
                                                "-" if mb is None else "%.0f" % mb,
                                                "; ".join(problems) if problems else detail)
        print(line)
        lines.append((ok, name, c.get("item"), secs, mb, "; ".join(problems) if problems else detail))
    print("hostile: whole run %.0f s (servers up to down)" % total)
    if os.environ.get("HOSTILE_TABLE"):
        with open(os.environ["HOSTILE_TABLE"], "w") as f:
            f.write("| case | item | seconds | peak RSS MB | result | detail |\n|---|---|---|---|---|---|\n")
            for ok, name, item, secs, mb, detail in lines:
                f.write("| %s | %s | %s | %s | %s | %s |\n" % (
                    name, item or "", "-" if secs is None else "%.1f" % secs, "-" if mb is None else "%.0f" % mb,
                    "ok" if ok else "FAIL", detail.replace("|", "/")))
    if os.environ.get("HOSTILE_KEEP"):
        print("hostile: kept " + tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print("hostile: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:      # the world did not come up, a database is unreadable...: a failure
        print("hostile: error: %s: %s" % (type(e).__name__, e))
        print("hostile: 0 passed, 1 failed")
        if TMP[0] and not os.environ.get("HOSTILE_KEEP"):
            shutil.rmtree(TMP[0], ignore_errors=True)
        sys.exit(1)
