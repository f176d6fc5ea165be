#!/usr/bin/env python3
"""Run the `publish meta` cases of a tests/data/meta/*.test file.

usage: meta-cases.py PUBLISH FILE count     prints the number of cases
       meta-cases.py PUBLISH FILE N         runs case N (1-based), prints its name;
                                            exit 1 and the differences when it fails

A case file is in the format of tests/README (read by casefile.py): a
block "### what the case shows" per case, its lines "key: value" fields:

  env: NAME=VALUE      environment for publish (repeatable); a VALUE starting
                       with '"' is a JSON string (for newlines)
  event: {...}         the event payload (JSON, one line); GITHUB_EVENT_PATH points at it
  arg: ARGUMENT        one command-line argument (repeatable)
  exit: N              expected exit status (default 0)
  stderr: TEXT         stderr must contain TEXT (repeatable)
  no-stderr: TEXT      stderr must not contain TEXT
  stdout: TEXT         stdout must contain TEXT (repeatable)
  version: / tags: / tag-names: / labels: / annotations: / json:
                       expected output; repeated keys are lines of one value
  has-label: K=V       the labels output has this line (annotations: has-annotation:)

publish runs in an empty directory with only PATH, HOME, LANG, TZ=UTC,
SOURCE_DATE_EPOCH=1578616200 (2020-01-10T00:30:00Z, unless the case sets
it) and GITHUB_OUTPUT set; no GITHUB_API_URL, so nothing is fetched.
"""
import json, os, re, subprocess, sys, tempfile

import casefile

OUTPUTS = ("version", "tags", "tag-names", "labels", "annotations", "json")

def read_outputs(path):
    if not os.path.exists(path): return {}
    out, lines, i = {}, open(path).read().split("\n"), 0
    while i < len(lines):
        m = re.match(r"^([^=<]+)<<(.+)$", lines[i]); i += 1
        if m:
            val = []
            while i < len(lines) and lines[i] != m.group(2):
                val.append(lines[i]); i += 1
            i += 1
            out[m.group(1)] = "\n".join(val)
    return out

def run(publish, block):
    want, env, args, fails = {}, {}, [], []
    name, code, errs, noerrs, outs, has = block.name, 0, [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "C", "TZ": "UTC",
               "SOURCE_DATE_EPOCH": "1578616200", "GITHUB_OUTPUT": os.path.join(tmp, "output")}
        open(env["GITHUB_OUTPUT"], "w").close()
        for k, v in block.fields():
            if k == "env":
                ek, _, ev = v.partition("=")
                if ev.startswith('"'): ev = json.loads(ev)
                if ev == "" and not _: env.pop(ek, None)
                else: env[ek] = ev
            elif k == "event":
                p = os.path.join(tmp, "event.json"); open(p, "w").write(v); env["GITHUB_EVENT_PATH"] = p
            elif k == "arg": args.append(v)
            elif k == "exit": code = int(v)
            elif k == "stderr": errs.append(v)
            elif k == "no-stderr": noerrs.append(v)
            elif k == "stdout": outs.append(v)
            elif k in ("has-label", "has-annotation"): has.append((k, v))
            elif k in OUTPUTS: want.setdefault(k, []).append(v)
            else: fails.append("unknown key %r" % k)
        r = subprocess.run([publish, "meta"] + args, env=env, cwd=tmp, capture_output=True, text=True, timeout=30)
        got = read_outputs(env["GITHUB_OUTPUT"])
    if r.returncode != code: fails.append("exit %d, wanted %d" % (r.returncode, code))
    for e in errs:
        if e not in r.stderr: fails.append("stderr lacks %r" % e)
    for e in noerrs:
        if e in r.stderr: fails.append("stderr has %r" % e)
    for o in outs:
        if o not in r.stdout: fails.append("stdout lacks %r" % o)
    for k, lines in want.items():
        w = "\n".join(lines)
        if got.get(k) != w: fails.append("%s:\n  got  %r\n  want %r" % (k, got.get(k), w))
    for k, v in has:
        lst = got.get("labels" if k == "has-label" else "annotations", "").split("\n")
        if v not in lst: fails.append("%s %r not in %r" % (k, v, lst))
    if code != 0 and errs and r.stderr.count("\n") > 1 + r.stderr.count("warning:"):
        fails.append("more than one error line: %r" % r.stderr)
    return name, fails, r

def main():
    publish, path, what = sys.argv[1:4]
    bs = casefile.blocks(path)
    if what == "count":
        print(len(bs)); return 0
    if what.startswith("name"):
        print(bs[int(what[4:]) - 1].name); return 0
    b = bs[int(what) - 1]
    name, fails, r = run(publish, b)
    print(name)
    if fails:
        sys.stderr.write("%s:%d: %s\n" % (path, b.line, "\n".join(fails)))
        sys.stderr.write("stdout: %s\nstderr: %s\n" % (r.stdout, r.stderr))
        return 1
    return 0

sys.exit(main())
