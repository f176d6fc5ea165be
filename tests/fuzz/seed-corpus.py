#!/usr/bin/env python3
"""seed-corpus.py OUTDIR: extract fuzz seeds from the test data.

Writes OUTDIR/<target>/<sha1> files (libFuzzer's naming), one per input
found in tests/data and the unit tests, in the input format each
tests/fuzz/fuzz-<target>.c describes (parts separated by NUL bytes).
`make fuzz` runs it into build/fuzz/corpus/; nothing it writes is
committed (tests/fuzz/corpus/ holds the hand-picked seeds and the
regression inputs).
"""
import glob
import hashlib
import json
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(ROOT, "tests", "data")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "fuzz", "corpus")
counts = {}


def put(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1


def blocks(path):
    """jq.test-style blocks: '### name', sections '--- name' (first: 'input')."""
    out, cur, sec = [], None, None
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f.read().split("\n"):
            if line.startswith("### "):
                cur = {"input": []}
                sec = "input"
                out.append(cur)
            elif cur is None:
                continue
            elif line.startswith("--- "):
                sec = line[4:].strip()
                cur[sec] = []
            else:
                cur[sec].append(line)
    return [{k: "\n".join(v).rstrip("\n") + "\n" for k, v in b.items()} for b in out]


def cases(path):
    """Case files: blank-line separated blocks of 'key: value' (JSON strings allowed)."""
    out, cur = [], []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f.read().split("\n"):
            if line.startswith("#"):
                continue
            if not line.strip():
                if cur:
                    out.append(cur)
                cur = []
                continue
            k, _, v = line.partition(":")
            v = v[1:] if v.startswith(" ") else v
            if v.startswith('"'):
                try:
                    v = json.loads(v)
                except ValueError:
                    pass
            cur.append((k, v))
    if cur:
        out.append(cur)
    return out


def c_strings(path, call):
    """The first string literal argument of every call(...) in a C file."""
    with open(path, encoding="utf-8") as f:
        src = f.read().replace('" D', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"')
    for m in re.finditer(r'\b%s\("((?:[^"\\]|\\.)*)"' % call, src):
        yield json.loads('"' + m.group(1) + '"')


# dockerfile, dockerword
dockerfiles = []
for p in sorted(glob.glob(os.path.join(DATA, "dockerfile", "*.test"))):
    dockerfiles += [b["input"] for b in blocks(p)]
for b in blocks(os.path.join(DATA, "dockerfile-refusals.txt")):
    dockerfiles.append("\n".join(l for l in b["input"].split("\n")
                                 if not re.match(r"^(line|exit|grep): ", l)))
for p in [os.path.join(ROOT, "Dockerfile")] + sorted(glob.glob(os.path.join(ROOT, "examples", "*", "Dockerfile"))):
    if os.path.exists(p):
        with open(p, encoding="utf-8", errors="surrogateescape") as f:
            dockerfiles.append(f.read())
words = set()
for df in dockerfiles:
    put("dockerfile", df)
    for line in df.split("\n"):
        parts = line.strip().split(None, 1)
        if len(parts) == 2 and not line.startswith("#"):
            words.add(parts[1])
for w in sorted(words):
    put("dockerword", "\0" + w + "\0/app\0A=1\nB=two words\nEMPTY=")

# dockerignore
for p in sorted(glob.glob(os.path.join(DATA, "dockerignore", "*.test"))):
    for b in blocks(p):
        paths = []
        for sec in ("match", "walk"):
            for l in b.get(sec, "").split("\n"):
                if l.strip():
                    paths.append(l.split(" ")[0] if sec == "match" else l)
        put("dockerignore", b["input"] + "\0" + "\n".join(paths))
for b in blocks(os.path.join(DATA, "dockerignore-cases.txt")):
    put("dockerignore", b.get(".dockerignore", "") + "\0" + b.get("files", ""))

# reference, auth
for call in ("good", "bad"):
    for s in c_strings(os.path.join(ROOT, "tests", "unit", "test-reference.c"), call):
        put("reference", s)
for call in ("auth_challenge_parse", "auth_parse_token_response"):
    for s in c_strings(os.path.join(ROOT, "tests", "unit", "test-auth.c"), call):
        put("auth", s)

# tagrule, flavor, expr: the --tags / --flavor arguments of each meta case
for p in sorted(glob.glob(os.path.join(DATA, "meta", "*.test"))):
    for c in cases(p):
        tags = [v[len("--tags="):] for k, v in c if k == "arg" and v.startswith("--tags=")]
        flavor = [v[len("--flavor="):] for k, v in c if k == "arg" and v.startswith("--flavor=")]
        if tags:
            put("tagrule", "\n".join(tags))
        if flavor:
            put("flavor", "\n".join(flavor))
        for k, v in c:
            if k == "arg" and "{{" in v:
                for field in v.split("=", 1)[1].split(","):
                    if "{{" in field:
                        put("expr", field.split("=", 1)[1] if re.match(r"^\w+=", field) else field)

# jsregex, semver, pep440
for c in cases(os.path.join(DATA, "jsregex.cases")):
    d = dict(c)
    if "re" in d:
        put("jsregex", "%s\0%s\0%s" % (d["re"], d.get("flags", ""), d.get("in", "")))
for target in ("semver", "pep440"):
    for c in cases(os.path.join(DATA, target + ".cases")):
        d = dict(c)
        if "in" in d:
            put(target, d["in"])

for t in sorted(counts):
    print("%-12s %d seeds" % (t, counts[t]))
