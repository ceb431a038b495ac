#!/usr/bin/env python3
"""docs/CLI.md against the parser: every option that `mtasts <command> --help` lists must be
named in the command's section of docs/CLI.md (a `## ` heading naming the command), and every
default that --help prints as `(default: X)` must be the default that the scan options table
gives (numbers compared as numbers: 10.0 is 10). Placeholder defaults ("sensible", "chosen for
speed") fail. --help is generated from the code, so this keeps the contract page current.

    Tests/cli_doc_check.py MTASTS_BIN docs/CLI.md

Prints one line per command and 'cli-doc: N passed, M failed' last.
"""
import re
import subprocess
import sys

SKIP = {"--help", "--version"}


def helptext(binary, *args):
    return subprocess.run([binary, *args, "--help"], capture_output=True, text=True, check=True).stdout


def options(text):
    """{--option: default or None} from the OPTIONS part of a --help text."""
    part = text.split("OPTIONS:", 1)[1] if "OPTIONS:" in text else ""
    blocks, cur = {}, None
    for line in part.splitlines():
        m = re.match(r"^\s{2}(?:-\w, )?(--[\w-]+)", line)
        if m:
            cur = m.group(1)
            blocks[cur] = ""
        if cur:
            blocks[cur] += " " + line.strip()
    out = {}
    for opt, b in blocks.items():
        m = re.search(r"\(default: ([^)]*)\)", b)
        out[opt] = m.group(1).strip() if m else None
    return {k: v for k, v in out.items() if k not in SKIP}


def sections(doc):
    """heading -> text, for '## ' headings."""
    parts = re.split(r"^## (.*)$", doc, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def same(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        return a.strip("`") == b.strip("`")


def main():
    binary, docpath = sys.argv[1], sys.argv[2]
    doc = open(docpath, encoding="utf-8").read()
    secs = sections(doc)
    top = helptext(binary)
    cmds = re.findall(r"^\s{2}([a-z-]+)\s", top.split("SUBCOMMANDS:", 1)[1], flags=re.M)
    passed = failed = 0
    for cmd in cmds:
        if cmd == "help":
            continue
        opts = options(helptext(binary, cmd))
        heads = [h for h in secs if re.search(r"\b%s\b" % re.escape(cmd), h)]
        text = "".join(secs[h] for h in heads)
        if cmd == "scan":
            text += doc.split("## scan", 1)[0]   # the (added) scan options note at the top
        missing = [o for o in opts if not re.search(re.escape(o) + r"(?![\w-])", text)]
        problems = [f"not in docs/CLI.md's '{cmd}' section: {' '.join(missing)}"] if missing else []
        if not heads:
            problems = [f"no '## {cmd}' section in docs/CLI.md"]
        if cmd == "scan":
            rows = {}
            for line in text.splitlines():
                m = re.match(r"^\| `([^`]*)` \|.*\| ([^|]*) \|$", line)
                if m:
                    names = re.findall(r"--[\w-]+", m.group(1))
                    defaults = [d.strip() for d in m.group(2).split(",")] if len(names) > 1 else [m.group(2).strip()]
                    for n, d in zip(names, defaults):
                        rows[n] = d
            for o, d in opts.items():
                if d is not None and o in rows and not same(d, rows[o]):
                    problems.append(f"{o}: --help says default {d}, docs/CLI.md says {rows[o]}")
            for o, d in rows.items():
                if re.search(r"sensible|chosen for|documented", d):
                    problems.append(f"{o}: placeholder default '{d}'")
        if problems:
            failed += 1
            print(f"cli-doc FAIL {cmd}: " + "; ".join(problems))
        else:
            passed += 1
            print(f"cli-doc ok   {cmd}: {len(opts)} options documented")
    print(f"cli-doc: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
