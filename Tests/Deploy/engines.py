"""The deploy/ launchers on the real engines, against the loopback test world (make deploy-check).

  - deploy/parallel.sh with GNU parallel (Debian's `parallel`), 2 shards, each scanning through
    the launcher's own local unbound (LOCAL_UNBOUND=1, forwarding to the world's resolver);
  - deploy/slurm/submit.sh on a private single-node Slurm cluster (Tests/Deploy/slurm_cluster.sh):
    the array of 2 tasks, each with its own unbound (start-unbound.sh), then the afterok merge;
  - the same array slowed down (--rate), one running task requeued with `scontrol requeue`:
    the task gets Slurm's SIGTERM, commits its batch, runs again with --resume, and the merged
    database still holds every domain exactly once.
Every merged database is exported and compared, domain by domain, with the world generator's
truth (Tests/E2E/compare_truth.py on the truth rows of the sampled domains): real verdicts, not
a list of dns-errors.

The world: WORLD_DIR (ports in WORLD_DIR/ports.env), as `make test` leaves it up for this.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
COMPARE = os.path.join(ROOT, "Tests", "E2E", "compare_truth.py")
# A few of each common kind, one of each rare kind (the world has 152 kinds, 5 of most).
PER_KIND = {"no-sts": 6, "plain-enforce": 4, "plain-testing": 3, "plain-none": 2, "no-sts-own-mx": 2, "plain-own-mx": 2}


def world_ports(world):
    env = {}
    with open(os.path.join(world, "ports.env")) as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            if k:
                env[k] = v
    return env


def world_answers(world):
    """The world's resolver answers (dig +short SOA of a world name); False when it is down."""
    try:
        p = world_ports(world)
    except OSError:
        return False
    r = subprocess.run(["dig", "+time=2", "+tries=1", "-p", p["WORLD_DNS_PORT"], f"@{p['WORLD_DNS_IP']}", "test.", "SOA"],
                       capture_output=True, text=True)
    return r.returncode == 0 and "status: NOERROR" in r.stdout


def sample(world, tmp):
    """An input of a few domains of every kind, in the world's order, and their truth rows."""
    taken = {}
    rows = []
    with open(os.path.join(world, "truth.jsonl")) as f:
        for line in f:
            t = json.loads(line)
            k = t.get("kind", "?")
            if taken.get(k, 0) < PER_KIND.get(k, 1):
                taken[k] = taken.get(k, 0) + 1
                rows.append((line, t))
    inp, truth = os.path.join(tmp, "sample.txt"), os.path.join(tmp, "sample-truth.jsonl")
    with open(inp, "w") as fi, open(truth, "w") as ft:
        for line, t in rows:
            fi.write(t["input"] + "\n")
            ft.write(line)
    return inp, truth, rows


def db_rows(db):
    con = sqlite3.connect(db)
    try:
        doms = [r[0] for r in con.execute("SELECT domain FROM domains ORDER BY domain")]
        scans = con.execute("SELECT count(*) FROM scans").fetchone()[0]
        return doms, scans
    finally:
        con.close()


class Engines:
    def __init__(self, check, run, mtasts, world, tmp, log):
        self.check, self.run, self.mtasts, self.world, self.tmp, self.log = check, run, mtasts, world, tmp, log
        self.ports = world_ports(world)
        self.inp, self.truth, self.rows = sample(world, tmp)
        self.unbound_port = os.environ.get("DEPLOY_UNBOUND_PORT", "5391")
        p = self.ports
        # the scan's flags for the world, the same in every shard (merge refuses shards that differ)
        self.world_flags = (f"--ca-file {world}/ca/ca.crt --https-port {p['WORLD_HTTPS_PORT']} "
                            f"--smtp-port {p['WORLD_SMTP_PORT']} --timeout 5 --per-address-backoff 2 "
                            f"--exclude {world}/exclude.txt")
        self.env = dict(os.environ, MTASTS=mtasts, CONTACT="https://scanner.mtasts.test/about",
                        EHLO_NAME="scanner.mtasts.test", UNBOUND_PORT=self.unbound_port,
                        UNBOUND_FORWARD=f"{p['WORLD_DNS_IP']}@{p['WORLD_DNS_PORT']}",
                        UNBOUND_TRUST_ANCHOR=os.path.join(world, "zones", "test.anchor"),
                        UNBOUND_SERVER_EXTRA='local-zone: "test." nodefault', UNBOUND_DNSSEC="1",
                        UNBOUND_CACHE="16m", EXTRA_FLAGS=self.world_flags, TMPDIR=tmp)
        for k in ("RESOLVER", "PARALLEL_IMPL", "JOBS", "MERGED", "CPUS_PER_TASK"):
            self.env.pop(k, None)

    def warm(self):
        """A DNS-only pass through the world's resolver, thrown away (as Tests/E2E/run.sh does):
        a resolver started seconds ago answers its first burst with the odd SERVFAIL."""
        p = self.ports
        subprocess.run([self.mtasts, "scan", self.inp, "--db", os.path.join(self.tmp, "warm.db"), "--no-smtp",
                        "--resolver", f"{p['WORLD_DNS_IP']}:{p['WORLD_DNS_PORT']}", "--ehlo-name", "scanner.mtasts.test"]
                       + self.world_flags.split(), capture_output=True, timeout=300)

    def truth_ok(self, label, merged, shards):
        """The merged database against the sampled truth: every domain once, in one scan, and
        compare_truth.py agreeing on every row."""
        try:
            doms, scans = db_rows(merged)
        except Exception as e:  # noqa: BLE001
            return self.check(f"{label}: merged database readable", False, repr(e))
        want = sorted(t["domain"] for _, t in self.rows if t.get("domain"))
        # invalid input lines have no domain row; every other sampled line has exactly one
        self.check(f"{label}: each of the {len(want)} sampled domains stored exactly once, one scan",
                   sorted(d for d in doms if d) == want and scans == 1,
                   f"{len(doms)} rows, {len(set(doms))} distinct, missing {sorted(set(want) - set(doms))[:5]}, {scans} scans")
        out = os.path.join(self.tmp, re.sub(r"\W+", "-", label) + ".jsonl")
        r = subprocess.run([self.mtasts, "export", "--db", merged, "--format", "jsonl", "--output", out],
                           capture_output=True, text=True)
        if not self.check(f"{label}: export", r.returncode == 0, r.stderr[-300:]):
            return False
        r = subprocess.run(["python3", COMPARE, self.truth, out], capture_output=True, text=True)
        last = (r.stdout.strip().splitlines() or ["?"])[-1]
        with open(self.log, "a") as f:
            f.write(f"compare_truth {label}:\n{r.stdout}\n")
        statuses = {}
        with open(out) as f:
            for line in f:
                s = json.loads(line).get("status")
                statuses[s] = statuses.get(s, 0) + 1
        what = f"{shards} shards merged agree" if shards > 1 else "the database agrees"
        return self.check(f"{label}: {what} with the world's truth ({last}; {statuses})",
                          r.returncode == 0, "\n" + "\n".join(r.stdout.splitlines()[-12:]))

    # ------------------------------------------------------------ signals
    def _scan_until(self, db, err, started_at_least):
        """mtasts scan of the sample, slowed down, run until `started_at_least` domains started."""
        p = self.ports
        cmd = [self.mtasts, "scan", self.inp, "--db", db, "--rate", "4", "--resume",
               "--resolver", f"{p['WORLD_DNS_IP']}:{p['WORLD_DNS_PORT']}", "--ehlo-name", "scanner.mtasts.test"] + self.world_flags.split()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(err, "w"))
        t0 = time.time()
        while time.time() - t0 < 120 and proc.poll() is None:
            p_ = re.findall(r"^(\d+) done .*in flight (\d+)", open(err, errors="replace").read(), re.M)
            if p_ and int(p_[-1][0]) + int(p_[-1][1]) >= started_at_least:
                break
            time.sleep(0.2)
        return cmd, proc

    def signals(self):
        """SIGTERM is a clean stop however often it comes (what a Slurm requeue sends: to every
        process of the task, and the task script passes it on); a SIGINT after it still stops
        at once. Checked on the real binary against the world: the resumed scan agrees with truth."""
        print("signals: mtasts scan stopped with SIGTERM twice, then resumed")
        db, err = os.path.join(self.tmp, "sig.db"), os.path.join(self.tmp, "sig.err")
        cmd, proc = self._scan_until(db, err, 20)
        proc.send_signal(15)
        time.sleep(0.3)
        proc.send_signal(15)
        rc = proc.wait(timeout=120)
        text = open(err, errors="replace").read()
        self.check("SIGTERM, SIGTERM: exit 130 after finishing the batch, not 'second interrupt'",
                   rc == 130 and "SIGTERM again" in text and "second interrupt" not in text
                   and "interrupted: rerun with --resume" in text, f"exit {rc}: {text[-300:]}")
        try:
            stored = len(db_rows(db)[0])
        except Exception:  # noqa: BLE001
            stored = 0
        self.check(f"its batch was committed ({stored} domains stored)", 0 < stored < len(self.rows), stored)
        r = subprocess.run(cmd[:cmd.index("--rate")] + cmd[cmd.index("--rate") + 2:], capture_output=True, text=True, timeout=300)
        self.check("--resume finishes the scan", r.returncode == 0 and "resuming scan" in r.stderr, r.stderr[-300:])
        self.truth_ok("SIGTERM twice, then --resume", db, 1)
        # a person's Ctrl-C after a SIGTERM still means "stop at once"
        db2, err2 = os.path.join(self.tmp, "sig2.db"), os.path.join(self.tmp, "sig2.err")
        _, proc = self._scan_until(db2, err2, 20)
        proc.send_signal(15)
        time.sleep(0.3)
        proc.send_signal(2)
        rc = proc.wait(timeout=120)
        text = open(err2, errors="replace").read()
        self.check("SIGTERM then SIGINT: stops at once (exit 130, 'second interrupt')",
                   rc == 130 and "second interrupt, stopping now" in text, f"exit {rc}: {text[-300:]}")

    # ------------------------------------------------------------ GNU parallel
    def parallel(self):
        print(f"parallel: deploy/parallel.sh with GNU parallel on {len(self.rows)} domains of the world")
        real = subprocess.run(["bash", "-c", "parallel --version 2>/dev/null | grep -q 'GNU parallel'"]).returncode == 0
        if not self.check("GNU parallel is installed", real, "apt-get install parallel (make deploy-check does)"):
            return
        out = os.path.join(self.tmp, "world-parallel")
        env = dict(self.env, SHARDS="2", JOBS="2", LOCAL_UNBOUND="1", PARALLEL_IMPL="parallel")
        r = self.run([os.path.join(DEPLOY, "parallel.sh"), self.inp, out], env, self.log)
        self.check("parallel.sh (GNU parallel, LOCAL_UNBOUND=1 on UNBOUND_PORT) exits 0",
                   r.returncode == 0 and "with GNU parallel" in r.stdout and f"127.0.0.1:{self.unbound_port}" in r.stdout,
                   r.stdout[-600:])
        pidfile = os.path.join(out, "unbound", "unbound.pid")
        for _ in range(600):  # unbound exits a moment after its SIGTERM
            if not _alive_pidfile(pidfile):
                break
            time.sleep(0.1)
        self.check("its unbound has exited after the end (within 60 s)", not _alive_pidfile(pidfile), _pid(pidfile))
        self.truth_ok("GNU parallel", os.path.join(out, "merged.db"), 2)

    # ------------------------------------------------------------ Slurm
    def slurm(self):
        print(f"slurm: a single-node Slurm cluster, deploy/slurm/submit.sh on {len(self.rows)} domains of the world")
        cdir = os.path.join(self.tmp, "slurm")
        up = self.run(["bash", os.path.join(HERE, "slurm_cluster.sh"), "up", cdir], dict(os.environ), self.log)
        try:
            if not self.check("slurmctld, slurmd and munged up, the node idle", up.returncode == 0, up.stdout[-600:]):
                return
            env = dict(self.env, SLURM_CONF=os.path.join(cdir, "slurm.conf"))
            self._slurm_plain(env)
            self._slurm_requeue(env)
        finally:
            down = self.run(["bash", os.path.join(HERE, "slurm_cluster.sh"), "down", cdir], dict(os.environ), self.log)
            pids = [_pid(os.path.join(cdir, f)) for f in ("slurmd.pid", "slurmctld.pid", "munge/munged.pid")]
            self.check("every Slurm and munge daemon it started has stopped", down.returncode == 0
                       and not any(_alive_pidfile(os.path.join(cdir, f)) for f in ("slurmd.pid", "slurmctld.pid", "munge/munged.pid")),
                       down.stdout[-300:] + str(pids))

    def _submit(self, env, out, extra):
        env = dict(env, INPUT=self.inp, OUT=out, SHARDS="2", EXTRA_FLAGS=self.world_flags + extra)
        r = subprocess.run([os.path.join(DEPLOY, "slurm", "submit.sh")], env=env, cwd=self.tmp,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        with open(self.log, "a") as f:
            f.write(f"$ submit.sh (OUT={out})\n{r.stdout}\nexit {r.returncode}\n")
        m = re.search(r"array job (\d+) .*merge job (\d+)", r.stdout)
        self.check("submit.sh submits the array and the merge", r.returncode == 0 and m is not None, r.stdout[-400:])
        return (m.group(1), m.group(2)) if m else (None, None)

    def _wait_job(self, env, job, limit=600):
        """The job's final state (COMPLETED, FAILED, ...) or the last one seen after `limit` s."""
        state, t0 = "?", time.time()
        while time.time() - t0 < limit:
            state = _job_field(env, job, "JobState")
            if state in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"):
                return state
            if state == "PENDING" and "DependencyNeverSatisfied" in (_job_field(env, job, "Reason") or ""):
                return "DependencyNeverSatisfied"
            time.sleep(1)
        return state

    def _slurm_plain(self, env):
        out = os.path.join(self.tmp, "world-slurm")
        array, merge = self._submit(env, out, "")
        if not merge:
            return
        state = self._wait_job(env, merge)
        logs = _slurm_logs(self.tmp, array)
        self.check(f"the afterok merge job {merge} ran after the array {array} and COMPLETED", state == "COMPLETED",
                   f"{state}; array log tail: {logs[-600:]}")
        self.check("each task scanned through its own unbound on UNBOUND_PORT, stopped at its end",
                   logs.count(f"unbound on 127.0.0.1:{self.unbound_port}") == 2
                   and not any(n.startswith("mtasts-unbound-") for n in os.listdir(self.tmp)), logs[-600:])
        self.truth_ok("Slurm array + merge", os.path.join(out, "merged.db"), 2)

    def _slurm_requeue(self, env):
        out = os.path.join(self.tmp, "world-slurm-requeue")
        # slowed down so that task 0 is still scanning when it is requeued
        array, merge = self._submit(env, out, " --rate 4")
        if not merge:
            return
        task, shard = f"{array}_0", os.path.join(out, "shard-0.db")
        t0, started = time.time(), 0
        while time.time() - t0 < 120:  # running, and 20 domains into its shard (its progress lines)
            if _job_field(env, task, "JobState") == "RUNNING":
                p = re.findall(r"^(\d+) done .*in flight (\d+)", _slurm_log(self.tmp, array, 0), re.M)
                started = int(p[-1][0]) + int(p[-1][1]) if p else 0
                if started >= 20:
                    break
            time.sleep(0.5)
        r = subprocess.run(["scontrol", "requeue", task], env=env, capture_output=True, text=True)
        self.check(f"scontrol requeue {task} while it runs ({started} domains started)", r.returncode == 0 and started >= 20,
                   r.stderr.strip() or f"{started} started")
        # Slurm holds a requeued batch job back for a while (Reason=BeginTime, ~2 min): let it go
        t0 = time.time()
        while time.time() - t0 < 60:
            if _job_field(env, task, "Reason") == "BeginTime":
                subprocess.run(["scontrol", "update", f"JobId={task}", "StartTime=now"], env=env, capture_output=True)
            elif _job_field(env, task, "JobState") in ("RUNNING", "COMPLETED", "FAILED"):
                break
            time.sleep(0.5)
        state = self._wait_job(env, merge)
        log = _slurm_log(self.tmp, array, 0)
        self.check(f"after the requeue the merge job COMPLETED", state == "COMPLETED", f"{state}; {log[-600:]}")
        self.check("the requeued task stopped cleanly on SIGTERM (its batch committed), not 'second interrupt'",
                   "SIGTERM: finishing the domains in flight" in log and "second interrupt" not in log
                   and "interrupted: rerun with --resume" in log, log[-800:])
        m = re.search(r"resuming scan \d+, (\d+) lines already stored", log)
        stored = int(m.group(1)) if m else -1
        try:
            total = len(db_rows(shard)[0])
        except Exception:  # noqa: BLE001
            total = 0
        self.check(f"and ran a second time, resuming its scan where the first run stopped ({stored} of the shard's {total} lines stored)",
                   log.count("start-unbound: unbound on") == 2 and 0 < stored < total, log[-400:])
        try:
            scans = sqlite3.connect(shard).execute("SELECT count(*) FROM scans").fetchone()[0]
        except Exception as e:  # noqa: BLE001
            scans = repr(e)
        self.check("the requeued shard holds one scan (resumed, not started again)", scans == 1, scans)
        self.truth_ok("Slurm array, task 0 requeued", os.path.join(out, "merged.db"), 2)


def _pid(path):
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return None


def _alive_pidfile(path):
    pid = _pid(path)
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _job_field(env, job, field):
    r = subprocess.run(["scontrol", "-o", "show", "job", job], env=env, capture_output=True, text=True)
    m = re.search(rf"(?:^|\s){field}=(\S+)", r.stdout)
    return m.group(1) if m else None


def _slurm_log(tmp, array, task):
    try:
        return open(os.path.join(tmp, f"mtasts-scan-{array}_{task}.log"), errors="replace").read()
    except OSError:
        return ""


def _slurm_logs(tmp, array):
    return _slurm_log(tmp, array, 0) + _slurm_log(tmp, array, 1)


def have_slurm():
    return all(shutil.which(b) for b in ("munged", "slurmctld", "slurmd", "sbatch", "scontrol"))
