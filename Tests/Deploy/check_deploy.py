#!/usr/bin/env python3
"""make deploy-check: the deploy/ recipes checked so that they cannot rot.

Run on the real engines (engines.py), against the test world at WORLD_DIR and its truth file:
  - deploy/parallel.sh with GNU parallel; deploy/slurm/submit.sh on a private single-node Slurm
    cluster (slurm_cluster.sh), its afterok merge, and a task requeued mid-scan;
Validated against the Kubernetes schema, offline (kubernetes-validate --strict, Tests/Deploy/.venv):
  - deploy/k8s/*.yaml, and three deliberate errors it must reject.
The Docker image is built and run by `make docker-check` (docker_check.sh), not here.
Checked by reading (no Kubernetes cluster here):
  - deploy/k8s/job.yaml: an Indexed Job whose scan container runs the documented
    `mtasts scan ... --shards N --shard $(JOB_COMPLETION_INDEX)` with N = completions, a shard
    database per index on a PVC, --resume, and an unbound next to it as its --resolver;
  - deploy/k8s/merge-job.yaml: merges exactly shard-0.db .. shard-(N-1).db of the same PVC;
  - deploy/slurm/*.sbatch: the --array range matches SHARDS, the task scans shard
    $SLURM_ARRAY_TASK_ID with --resume beside its own unbound; the merge gathers N shards;
  - deploy/Dockerfile: runs on debian:12 and installs every package of the Makefile's BUILD_DEBS
    (read from the Makefile) plus the runtime libraries;
  - `bash -n` of every shell script and sbatch file.
Run for real, with the mtasts binary (MTASTS, default .build/debug/mtasts), offline: its resolver
is a closed loopback port, so every domain is dns-error at once:
  - deploy/parallel.sh on 4 shards of a 40-line input, then its merge: the merged database holds
    each input domain exactly once; a second run skips the finished shards and merges again;
  - the same script's GNU-parallel branch (with GNU parallel when installed, else a stand-in
    that runs what `parallel -q -j N CMD ::: ARGS` runs);
  - deploy/slurm/merge.sbatch on those shards (it needs nothing of Slurm), and with one missing;
  - deploy/slurm/mtasts-array.sbatch as tasks 0 and 1 of 2 in a made-up Slurm environment, with
    a stand-in for the unbound starter, then merge.sbatch on their shards;
  - deploy/slurm/submit.sh with a stand-in `sbatch` that records its arguments.
DEPLOY_CHECK_ONLY=check_engines,check_k8s_schema (names of the parts below) runs only those.
The last line is 'deploy-check: N passed, M failed'; the exit status is 1 on any failure.
"""
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
MTASTS = os.path.abspath(os.environ.get("MTASTS", os.path.join(ROOT, ".build/debug/mtasts")))
# offline: a closed loopback port as the resolver, no SMTP, HTTPS to port 1 (never reached)
OFFLINE_FLAGS = ("--no-smtp --https-port 1 --resolver 127.0.0.1:9 --timeout 1 --retries 0 "
                 "--ehlo-name scanner.mtasts.test")

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"  ok    {name}")
    else:
        failed += 1
        print(f"  FAIL  {name}" + (f": {detail}" if detail else ""))
    return ok


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def option(tokens, name):
    """The value after `name` in a token list (None when absent)."""
    for i, t in enumerate(tokens[:-1]):
        if t == name:
            return tokens[i + 1]
    return None


def build_debs():
    """BUILD_DEBS as the Makefile says (continuation lines joined)."""
    text = read("Makefile").replace("\\\n", " ")
    m = re.search(r"^BUILD_DEBS\s*:?=\s*(.*)$", text, re.M)
    return m.group(1).split() if m else []


def containers(pod_spec):
    return list(pod_spec.get("initContainers") or []) + list(pod_spec.get("containers") or [])


def argv(c):
    return [str(x) for x in (c.get("command") or []) + (c.get("args") or [])]


def mounted_claim(pod_spec, container, path):
    """The PVC claim name backing `path` in `container`, or None."""
    vols = {v["name"]: v for v in pod_spec.get("volumes") or []}
    best = None
    for m in container.get("volumeMounts") or []:
        mp = m["mountPath"].rstrip("/") + "/"
        if path.startswith(mp) and (best is None or len(mp) > len(best[0])):
            best = (mp, m["name"])
    if best is None:
        return None
    pvc = vols.get(best[1], {}).get("persistentVolumeClaim")
    return pvc and pvc.get("claimName")


def merge_commands(text):
    """Each `mtasts merge ...` command in a shell text, as tokens (from `merge` on)."""
    out = []
    for line in text.replace("\\\n", " ").splitlines():
        m = re.search(r"(?:^|[\s;&|])(?:mtasts|\"\$MTASTS\")\s+merge\s", line)
        if m and not line.lstrip().startswith("#"):
            out.append(shlex.split(line[m.end() - len(" merge "):].strip()))
    return out


# ---------------------------------------------------------------- Kubernetes
def check_k8s():
    print("k8s: deploy/k8s/job.yaml, merge-job.yaml")
    docs = [d for d in yaml.safe_load_all(read("deploy/k8s/job.yaml")) if d]
    jobs = [d for d in docs if d.get("kind") == "Job"]
    if not check("job.yaml parses and holds one Job", len(jobs) == 1, f"{len(jobs)} Jobs"):
        return
    spec = jobs[0]["spec"]
    check("completionMode: Indexed", spec.get("completionMode") == "Indexed", spec.get("completionMode"))
    n = spec.get("completions")
    check("completions is a positive integer", isinstance(n, int) and n > 0, repr(n))
    par = spec.get("parallelism")
    check("parallelism set, 1..completions", isinstance(par, int) and isinstance(n, int) and 1 <= par <= n, repr(par))
    pod = spec["template"]["spec"]
    scans = [c for c in containers(pod) if argv(c)[:2] == ["mtasts", "scan"]]
    if not check("one container runs `mtasts scan`", len(scans) == 1, [argv(c)[:2] for c in containers(pod)]):
        return
    c = scans[0]
    a = argv(c)
    check("--shards N equals completions", option(a, "--shards") == str(n), f"--shards {option(a, '--shards')}, completions {n}")
    check("--shard $(JOB_COMPLETION_INDEX)", option(a, "--shard") == "$(JOB_COMPLETION_INDEX)", option(a, "--shard"))
    db = option(a, "--db") or ""
    check("--db is shard-$(JOB_COMPLETION_INDEX).db", os.path.basename(db) == "shard-$(JOB_COMPLETION_INDEX).db", db)
    claim = mounted_claim(pod, c, db)
    pvcs = {d["metadata"]["name"] for d in docs if d.get("kind") == "PersistentVolumeClaim"}
    check("--db lies on a PersistentVolumeClaim", claim is not None, db)
    check("that PVC is declared (ReadWriteMany)", any(
        d.get("kind") == "PersistentVolumeClaim" and d["metadata"]["name"] == claim
        and "ReadWriteMany" in d["spec"].get("accessModes", []) for d in docs), f"{claim} not in {pvcs}")
    check("--resume (a replaced pod continues its shard)", "--resume" in a)
    check("--contact given", bool(option(a, "--contact")))
    resolver = option(a, "--resolver") or ""
    check("--resolver is loopback (the pod's own unbound)", resolver.startswith("127.0.0.1"), resolver)
    ub = [x for x in pod.get("initContainers") or [] if argv(x)[:1] == ["unbound"]]
    check("an unbound native sidecar (initContainer, restartPolicy Always)",
          len(ub) == 1 and ub[0].get("restartPolicy") == "Always")
    if ub:
        check("the sidecar has a startup probe", "startupProbe" in ub[0])
        conf = next((d for d in docs if d.get("kind") == "ConfigMap"), {}).get("data", {}).get("unbound.conf", "")
        port = resolver.rpartition(":")[2] or "53"
        check("unbound listens where --resolver points",
              re.search(r"^\s*interface:\s*127\.0\.0\.1\s*$", conf, re.M) is not None
              and re.search(rf"^\s*port:\s*{port}\s*$", conf, re.M) is not None, resolver)
    images = {x.get("image") for x in containers(pod)}

    mdocs = [d for d in yaml.safe_load_all(read("deploy/k8s/merge-job.yaml")) if d]
    mjobs = [d for d in mdocs if d.get("kind") == "Job"]
    if not check("merge-job.yaml parses and holds one Job", len(mjobs) == 1):
        return
    mpod = mjobs[0]["spec"]["template"]["spec"]
    cmds = []
    for mc in containers(mpod):
        for cmd in merge_commands("\n".join(argv(mc))):
            cmds.append((mc, cmd))
    if not check("the merge Job runs one `mtasts merge`", len(cmds) == 1, f"{len(cmds)} found"):
        return
    mc, cmd = cmds[0]
    into = option(cmd, "--into")
    inputs = [t for t in cmd[1:] if t not in ("--into", into)]
    want = [os.path.join(os.path.dirname(db), f"shard-{i}.db") for i in range(n)]
    check(f"it merges exactly shard-0.db .. shard-{n - 1}.db of the scan's directory",
          sorted(inputs) == sorted(want) and len(set(inputs)) == len(inputs),
          f"missing {sorted(set(want) - set(inputs))}, extra {sorted(set(inputs) - set(want))}")
    check("from the same PVC", mounted_claim(mpod, mc, want[0]) == claim)
    check("--into is on the PVC too", into is not None and mounted_claim(mpod, mc, into) == claim, into)
    check("the same image as the scan", mc.get("image") in images, f"{mc.get('image')} vs {images}")


# ---------------------------------------------------------------- Kubernetes schema
K8S_VALIDATE = os.path.join(ROOT, "Tests", "Deploy", ".venv", "bin", "kubernetes-validate")
# the oldest Kubernetes the manifests are meant for (native sidecars: initContainers with
# restartPolicy Always, on by default from 1.29) and the validator's newest
K8S_VERSIONS = ("1.29", None)


def k8s_validate(paths, version):
    cmd = [K8S_VALIDATE, "--strict", "--no-warn"] + (["-k", version] if version else []) + paths
    return subprocess.run(cmd, capture_output=True, text=True)


def check_k8s_schema():
    """deploy/k8s/*.yaml against the Kubernetes OpenAPI schema, offline, with kubernetes-validate
    (PyPI; Tests/Deploy/.venv, made by `make deploy-check`) in strict mode: unknown fields are
    errors. Then deliberate errors, each of which it must reject."""
    print("k8s-schema: deploy/k8s/*.yaml with kubernetes-validate --strict")
    if not check("kubernetes-validate is installed (Tests/Deploy/.venv)", os.access(K8S_VALIDATE, os.X_OK),
                 "make deploy-check makes Tests/Deploy/.venv"):
        return
    manifests = [os.path.join(DEPLOY, "k8s", f) for f in ("job.yaml", "merge-job.yaml")]
    for v in K8S_VERSIONS:
        r = k8s_validate(manifests, v)
        check(f"job.yaml and merge-job.yaml validate against Kubernetes {v or 'latest known'}", r.returncode == 0,
              (r.stdout + r.stderr)[-600:])

    def job_spec(ds):
        return next(d for d in ds if d.get("kind") == "Job")["spec"]

    def misspelled(ds):  # `completion` for `completions`
        spec = job_spec(ds)
        spec["completion"] = spec.pop("completions")

    def wrong_type(ds):  # a string where an integer goes
        job_spec(ds)["parallelism"] = "two"

    def list_quantity(ds):  # a list where a resource quantity goes
        c = job_spec(ds)["template"]["spec"]["containers"][0]
        c["resources"] = {"limits": {"cpu": ["2"]}}

    tmp = tempfile.mkdtemp(prefix="mtasts-k8s-schema.")
    try:
        for name, mutate in (("a misspelled field (spec.completion)", misspelled),
                             ("a string for an integer (spec.parallelism: two)", wrong_type),
                             ("a list for a quantity (resources.limits.cpu: [2])", list_quantity)):
            bad = [dict(d) for d in yaml.safe_load_all(read("deploy/k8s/job.yaml")) if d]
            mutate(bad)
            path = os.path.join(tmp, "job.yaml")
            with open(path, "w") as f:
                yaml.safe_dump_all(bad, f)
            r = k8s_validate([path], None)
            check(f"a deliberate error is caught: {name}", r.returncode != 0 and "did not validate" in r.stdout,
                  (r.stdout + r.stderr)[-400:])
    finally:
        subprocess.run(["rm", "-rf", tmp])


# ---------------------------------------------------------------- Slurm
def sbatch_opts(text):
    return dict(re.findall(r"^#SBATCH\s+(--[\w-]+)(?:[= ](\S+))?", text, re.M))


def default_shards(text):
    m = re.search(r"^SHARDS=\$\{SHARDS:-(\d+)\}", text, re.M)
    return int(m.group(1)) if m else None


def check_slurm():
    print("slurm: deploy/slurm/mtasts-array.sbatch, merge.sbatch, submit.sh")
    t = read("deploy/slurm/mtasts-array.sbatch")
    opts = sbatch_opts(t)
    m = re.fullmatch(r"0-(\d+)(%\d+)?", opts.get("--array") or "")
    shards = default_shards(t)
    check("#SBATCH --array=0-(N-1) matches SHARDS", m is not None and shards is not None and int(m.group(1)) + 1 == shards,
          f"--array={opts.get('--array')}, SHARDS default {shards}")
    check("#SBATCH --requeue", "--requeue" in opts)
    joined = t.replace("\\\n", " ")
    scan = [ln for ln in joined.splitlines() if re.search(r'(mtasts|"\$MTASTS")\s+scan\s', ln) and not ln.lstrip().startswith("#")]
    if not check("the task runs one `mtasts scan`", len(scan) == 1, f"{len(scan)} found"):
        return
    toks = shlex.split(scan[0].split("#")[0].rstrip(" &"), posix=True)
    check('--shard "$SLURM_ARRAY_TASK_ID"', option(toks, "--shard") == "$SLURM_ARRAY_TASK_ID", option(toks, "--shard"))
    check('--shards "$SHARDS"', option(toks, "--shards") == "$SHARDS", option(toks, "--shards"))
    check('--db "$OUT/shard-$SLURM_ARRAY_TASK_ID.db"', option(toks, "--db") == "$OUT/shard-$SLURM_ARRAY_TASK_ID.db", option(toks, "--db"))
    check("--resume (a requeued task continues)", "--resume" in toks)
    check('--contact "$CONTACT"', option(toks, "--contact") == "$CONTACT")
    check("an unbound started for the task, used as --resolver",
          "start-unbound.sh" in t and (option(toks, "--resolver") or "").startswith("127.0.0.1:"))

    mt = read("deploy/slurm/merge.sbatch")
    check("merge.sbatch has the same SHARDS default", default_shards(mt) == shards, f"{default_shards(mt)} vs {shards}")
    check("merge.sbatch runs `mtasts merge --into`", any(option(c, "--into") for c in merge_commands(mt)))
    st = read("deploy/slurm/submit.sh")
    check("submit.sh submits the merge with --dependency=afterok:<array job id>", "--dependency=\"afterok:$array\"" in st)


# ---------------------------------------------------------------- Dockerfile
def check_docker():
    print("docker: deploy/Dockerfile")
    text = read("deploy/Dockerfile").replace("\\\n", " ")
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    stages = []  # (base, body)
    for part in re.split(r"^(?=FROM\s)", text, flags=re.M):
        m = re.match(r"FROM\s+(\S+)", part)
        if m:
            base = re.sub(r"\$\{(\w+)\}", lambda v: args.get(v.group(1), v.group(0)), m.group(1))
            stages.append((base, part))
    if not check("Dockerfile has stages", bool(stages)):
        return
    check("the image it produces is debian:12", stages[-1][0] == "debian:12", stages[-1][0])
    check("every stage is Debian 12 (debian:12 or swift:*-bookworm)",
          all(b == "debian:12" or re.fullmatch(r"swift:6[\w.-]*-bookworm", b) for b, _ in stages), [b for b, _ in stages])

    def installed(body):
        pk = set()
        for m in re.finditer(r"apt-get\s+install\s+([^&;\n]*)", body):
            pk |= {w for w in m.group(1).split() if not w.startswith("-")}
        return pk
    debs = build_debs()
    check("the Makefile's BUILD_DEBS is found", len(debs) >= 3, debs)
    builders = [(b, body) for b, body in stages if "swift build" in body]
    check("a stage builds the release binary", builders and "-c release" in builders[0][1])
    missing = set(debs) - installed(builders[0][1]) if builders else set(debs)
    check("that stage apt-get installs every package of BUILD_DEBS", not missing, f"missing {sorted(missing)}")
    runtime = installed(stages[-1][1])
    need = {"libcurl4", "libc-ares2", "libsqlite3-0", "libjemalloc2", "ca-certificates", "unbound", "sqlite3"}
    check("the debian:12 stage installs the runtime libraries, unbound and sqlite3", need <= runtime, f"missing {sorted(need - runtime)}")
    check("the binary is copied from the build stage", re.search(r"^COPY\s+--from=\S+\s+\S*mtasts\s", stages[-1][1], re.M) is not None)


# ---------------------------------------------------------------- shell syntax
def check_shell():
    print("shell: bash -n")
    for dirpath, _, files in sorted(os.walk(DEPLOY)):
        for f in sorted(files):
            if f.endswith((".sh", ".sbatch")):
                p = os.path.join(dirpath, f)
                r = subprocess.run(["bash", "-n", p], capture_output=True, text=True)
                check(f"bash -n {os.path.relpath(p, ROOT)}", r.returncode == 0, r.stderr.strip())


# ---------------------------------------------------------------- run for real
PARALLEL_STANDIN = r'''#!/usr/bin/env python3
# Stand-in for GNU parallel: what `parallel -q -j N [--halt X] [--line-buffer] CMD... ::: ARGS` runs
# (each ARG put in place of {} in every word of CMD, N at a time); exit status = failed jobs.
import subprocess, sys
a = sys.argv[1:]; j = 1; i = 0
while a[i].startswith("-"):
    if a[i] == "-j": j = int(a[i + 1]); i += 2
    elif a[i] == "--halt": i += 2
    elif a[i] in ("-q", "--line-buffer"): i += 1
    else: sys.exit("parallel stand-in: unknown option " + a[i])
sep = a.index(":::"); cmd, args = a[i:sep], a[sep + 1:]
open(sys.argv[0] + ".log", "a").write(" ".join(sys.argv[1:]) + "\n")
fails = 0; running = []
for x in args:
    running.append(subprocess.Popen([w.replace("{}", x) for w in cmd]))
    if len(running) >= j: fails += running.pop(0).wait() != 0
for p in running: fails += p.wait() != 0
sys.exit(min(fails, 100))
'''

SBATCH_STANDIN = r'''#!/usr/bin/env bash
# Stand-in for sbatch --parsable: records its arguments, prints a job id
n=$(( $(wc -l < "$0.log" 2>/dev/null || echo 0) + 1 ))
echo "$*" >> "$0.log"; echo "$((1000 + n));testcluster"
'''


def domains_in(db):
    con = sqlite3.connect(db)
    try:
        return ([r[0] for r in con.execute("SELECT domain FROM domains ORDER BY domain")],
                con.execute("SELECT count(*) FROM scans").fetchone()[0])
    finally:
        con.close()


def alive(pid):
    """A process that exists and is not a zombie (an orphan's zombie may linger unreaped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def run(cmd, env, log):
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    with open(log, "a") as f:
        f.write(f"$ {' '.join(cmd)}\n{r.stdout}\nexit {r.returncode}\n")
    return r


def check_run():
    print(f"run: deploy/parallel.sh and deploy/slurm/merge.sbatch with {os.path.relpath(MTASTS, ROOT)}, offline")
    if not check("the mtasts binary exists", os.access(MTASTS, os.X_OK), f"{MTASTS}: build it first (make build)"):
        return
    tmp = tempfile.mkdtemp(prefix="mtasts-deploy-check.")
    log = os.path.join(tmp, "log.txt")
    names = [f"shard-test-{i:02d}.example" for i in range(40)]
    inp = os.path.join(tmp, "list.txt")
    with open(inp, "w") as f:  # half Tranco's rank,domain, half bare names
        for i, d in enumerate(names):
            f.write(f"{i + 1},{d}\n" if i % 2 else f"{d}\n")
    env = dict(os.environ, MTASTS=MTASTS, SHARDS="4", JOBS="4", EXTRA_FLAGS=OFFLINE_FLAGS,
               PARALLEL_IMPL="xargs")
    env.pop("CONTACT", None); env.pop("RESOLVER", None); env.pop("LOCAL_UNBOUND", None)
    ok_all = True

    def merged_ok(label, db):
        nonlocal ok_all
        try:
            got, scans = domains_in(db)
        except Exception as e:  # noqa: BLE001
            got, scans = [], repr(e)
        ok = check(f"{label}: the merged database holds the 40 input domains once each, in one scan",
                   got == sorted(names) and scans == 1,
                   f"{len(got)} rows, {len(set(got))} distinct, {scans} scans")
        ok_all &= ok

    # 1. the script as it runs here (xargs -P; the same per-shard command line)
    out = os.path.join(tmp, "out")
    r = run([os.path.join(DEPLOY, "parallel.sh"), inp, out], env, log)
    check("parallel.sh (xargs -P) exits 0", r.returncode == 0, r.stdout[-400:])
    shard_files = [os.path.join(out, f"shard-{i}.db") for i in range(4)]
    check("it wrote shard-0.db .. shard-3.db", all(os.path.exists(p) for p in shard_files))
    per_shard = []
    for p in shard_files:
        try:
            per_shard.append(domains_in(p)[0])
        except Exception:  # noqa: BLE001
            per_shard.append([])
    flat = [d for s in per_shard for d in s]
    check("the shards partition the input (each domain in exactly one shard)",
          sorted(flat) == sorted(names), f"sizes {[len(s) for s in per_shard]}")
    merged = os.path.join(out, "merged.db")
    merged_ok("first run", merged)

    # 2. rerun: finished shards skipped, merged again from scratch
    r = run([os.path.join(DEPLOY, "parallel.sh"), inp, out], env, log)
    check("a rerun exits 0 and skips the 4 finished shards",
          r.returncode == 0 and r.stdout.count("already finished, skipped") == 4, r.stdout[-400:])
    merged_ok("after the rerun", merged)
    check("the rerun added no second scan to any shard",
          all(domains_in(p)[1] == 1 for p in shard_files if os.path.exists(p)))

    # 3. the GNU parallel branch: GNU parallel if installed, else the stand-in
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir)
    real_parallel = subprocess.run(["bash", "-c", "parallel --version 2>/dev/null | grep -q 'GNU parallel'"]).returncode == 0
    env2 = dict(env, PARALLEL_IMPL="parallel")
    if not real_parallel:
        with open(os.path.join(bindir, "parallel"), "w") as f:
            f.write(PARALLEL_STANDIN)
        os.chmod(os.path.join(bindir, "parallel"), 0o755)
        env2["PATH"] = bindir + os.pathsep + env["PATH"]
    out2 = os.path.join(tmp, "out-parallel")
    r = run([os.path.join(DEPLOY, "parallel.sh"), inp, out2], env2, log)
    which = "GNU parallel" if real_parallel else "a GNU parallel stand-in (GNU parallel is not installed)"
    check(f"parallel.sh with {which} exits 0", r.returncode == 0 and "with GNU parallel" in r.stdout, r.stdout[-400:])
    if not real_parallel:
        logged = open(os.path.join(bindir, "parallel.log")).read().split() if os.path.exists(os.path.join(bindir, "parallel.log")) else []
        check("it was called as `parallel -q -j 4 mtasts scan ... --shards 4 --shard {} ::: 0 1 2 3`",
              logged[:3] == ["-q", "-j", "4"] and "--shard" in logged and logged[logged.index("--shard") + 1] == "{}"
              and logged[logged.index(":::") + 1:] == ["0", "1", "2", "3"], " ".join(logged)[:300])
    merged_ok("GNU parallel branch", os.path.join(out2, "merged.db"))

    # 4. the Slurm merge job on the same shards (it needs nothing of Slurm), then with one missing
    menv = dict(os.environ, MTASTS=MTASTS, SHARDS="4", OUT=out, MERGED=os.path.join(tmp, "slurm-merged.db"))
    r = run(["bash", os.path.join(DEPLOY, "slurm/merge.sbatch")], menv, log)
    check("slurm/merge.sbatch merges the 4 shards", r.returncode == 0, r.stdout[-400:])
    merged_ok("slurm/merge.sbatch", os.path.join(tmp, "slurm-merged.db"))
    os.rename(shard_files[2], shard_files[2] + ".away")
    r = run(["bash", os.path.join(DEPLOY, "slurm/merge.sbatch")], dict(menv, MERGED=os.path.join(tmp, "m2.db")), log)
    check("slurm/merge.sbatch refuses when shard-2.db is missing", r.returncode != 0 and not os.path.exists(os.path.join(tmp, "m2.db")))
    os.rename(shard_files[2] + ".away", shard_files[2])

    # 5. the array task itself, twice (tasks 0 and 1 of 2) in a made-up Slurm environment, with a
    # stand-in for start-unbound.sh (nothing is brought up: the task's --resolver, 127.0.0.1:9,
    # is a closed port), then merge.sbatch: it refuses shards scanned with different options,
    # so this fails if anything task-specific leaks into the scan's flags
    standin_deploy = os.path.join(tmp, "deploy-standin")
    os.makedirs(os.path.join(standin_deploy, "unbound"))
    with open(os.path.join(standin_deploy, "unbound", "start-unbound.sh"), "w") as f:
        f.write('#!/usr/bin/env bash\n# stand-in: no unbound; a sleeper for the task to stop\n'
                'mkdir -p "$1"; sleep 300 >/dev/null 2>&1 & echo $! > "$1/unbound.pid"\n'
                f'echo $! >> {shlex.quote(os.path.join(tmp, "standin-pids"))}\n')
    os.chmod(os.path.join(standin_deploy, "unbound", "start-unbound.sh"), 0o755)
    aout = os.path.join(tmp, "array-out")
    aenv = dict(os.environ, MTASTS=MTASTS, INPUT=inp, OUT=aout, CONTACT="https://example.org/scan",
                EHLO_NAME="scanner.mtasts.test", SHARDS="2", UNBOUND_PORT="9", DEPLOY_DIR=standin_deploy,
                EXTRA_FLAGS="--no-smtp --https-port 1 --timeout 1 --retries 0", TMPDIR=tmp,
                SLURM_ARRAY_JOB_ID="4242", SLURM_ARRAY_TASK_COUNT="2", SLURM_SUBMIT_DIR=ROOT, SLURM_CPUS_PER_TASK="2")
    rcs = [run(["bash", os.path.join(DEPLOY, "slurm/mtasts-array.sbatch")], dict(aenv, SLURM_ARRAY_TASK_ID=str(t)), log).returncode
           for t in (0, 1)]
    check("mtasts-array.sbatch runs as tasks 0 and 1 of 2 (made-up Slurm environment)", rcs == [0, 0], rcs)
    r = run(["bash", os.path.join(DEPLOY, "slurm/mtasts-array.sbatch")], dict(aenv, SLURM_ARRAY_TASK_ID="1"), log)
    check("a rerun of a finished task skips it", r.returncode == 0 and "already finished" in r.stdout, r.stdout[-300:])
    r = run(["bash", os.path.join(DEPLOY, "slurm/mtasts-array.sbatch")], dict(aenv, SLURM_ARRAY_TASK_ID="0", SLURM_ARRAY_TASK_COUNT="3"), log)
    check("a task refuses an array size other than SHARDS", r.returncode == 2, r.returncode)
    r = run(["bash", os.path.join(DEPLOY, "slurm/merge.sbatch")], dict(aenv, MERGED=os.path.join(aout, "merged.db")), log)
    check("merge.sbatch accepts the two tasks' shards (same scan options)", r.returncode == 0, r.stdout[-400:])
    merged_ok("Slurm array + merge", os.path.join(aout, "merged.db"))
    pids = open(os.path.join(tmp, "standin-pids")).read().split() if os.path.exists(os.path.join(tmp, "standin-pids")) else []
    check("each task started its resolver and stopped it on exit", len(pids) == 2
          and not any(alive(p) for p in pids)
          and not any(n.startswith("mtasts-unbound") for n in os.listdir(tmp)), pids)

    # 6. submit.sh with a stand-in sbatch: the array of N tasks, then the merge after it
    with open(os.path.join(bindir, "sbatch"), "w") as f:
        f.write(SBATCH_STANDIN)
    os.chmod(os.path.join(bindir, "sbatch"), 0o755)
    senv = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], INPUT=inp, OUT=os.path.join(tmp, "slurm-out"),
                CONTACT="https://example.org/scan", EHLO_NAME="scanner.mtasts.test", SHARDS="7", CPUS_PER_TASK="3")
    r = run([os.path.join(DEPLOY, "slurm/submit.sh"), "--partition=long"], senv, log)
    calls = open(os.path.join(bindir, "sbatch.log")).read().splitlines() if os.path.exists(os.path.join(bindir, "sbatch.log")) else []
    check("submit.sh submits the array with --array=0-6 --cpus-per-task=3 for SHARDS=7 CPUS_PER_TASK=3, then the merge with afterok on its id",
          r.returncode == 0 and len(calls) == 2 and "--array=0-6" in calls[0].split() and "--partition=long" in calls[0].split()
          and "--cpus-per-task=3" in calls[0].split()
          and calls[0].endswith("mtasts-array.sbatch") and "--dependency=afterok:1001" in calls[1].split()
          and calls[1].endswith("merge.sbatch"), "; ".join(calls) + r.stdout[-200:])

    if failed == 0:
        subprocess.run(["rm", "-rf", tmp])
    else:
        print(f"  (logs kept in {log})")


def check_engines():
    """The launchers on real GNU parallel and a real Slurm cluster, against the test world
    (Tests/Deploy/engines.py). The world: WORLD_DIR as `make test` leaves it up; when nothing
    answers there, one is brought up with `make world-up` (the WORLD_* ports of the environment)
    and brought down at the end."""
    import engines
    world = os.path.abspath(os.environ.get("WORLD_DIR", os.path.join(ROOT, "world")))
    own_world = False
    if not engines.world_answers(world):
        print(f"engines: no world answers at {world}: make world-up (WORLD_DIR={world})")
        r = subprocess.run(["make", "--no-print-directory", "-C", ROOT, "world-up", f"WORLD_DIR={world}"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        own_world = True
        if not check("a test world for the engines (make world-up)", r.returncode == 0 and engines.world_answers(world),
                     r.stdout[-600:]):
            return
    tmp = tempfile.mkdtemp(prefix="mtasts-deploy-engines.")
    log = os.path.join(tmp, "log.txt")
    before = failed
    try:
        e = engines.Engines(check, run, MTASTS, world, tmp, log)
        print(f"engines: world {world}, {len(e.rows)} sampled domains ({tmp})")
        e.warm()
        e.signals()
        e.parallel()
        if check("Slurm (munge, slurmctld, slurmd, slurm-client) is installed", engines.have_slurm(),
                 "apt-get install munge slurmctld slurmd slurm-client (make deploy-check does)"):
            e.slurm()
    finally:
        if own_world:
            subprocess.run(["make", "--no-print-directory", "-C", ROOT, "world-down", f"WORLD_DIR={world}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if failed == before:
        subprocess.run(["rm", "-rf", tmp])
    else:
        print(f"  (engines: logs kept in {tmp})")


def main():
    parts = [check_k8s, check_k8s_schema, check_slurm, check_docker, check_shell, check_run, check_engines]
    only = os.environ.get("DEPLOY_CHECK_ONLY")  # e.g. check_engines: one part, for working on it
    if only:
        parts = [p for p in parts if p.__name__ in only.split(",")]
    for part in parts:
        try:
            part()
        except Exception as e:  # noqa: BLE001 - a crash in one part is a failure, not the end
            check(f"{part.__name__} ran to the end", False, f"{type(e).__name__}: {e}")
    print(f"deploy-check: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
