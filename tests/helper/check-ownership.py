#!/usr/bin/env python3
"""check-ownership.py: each library, and the environment, is reached from
the files that own it, and each folder of src/ includes only the folders
below it in the pipeline.

usage: check-ownership.py [SRC]      (default: the src/ beside tests/)

Prints FILE:LINE: WHAT for every use outside its owners and every include
of a folder the including folder may not use, and exits 1; prints a line
for every known exception that no longer occurs (remove it here then),
and exits 1 too.  Comments and string literals are not looked at.

OWNERS below is today's list (found by grep), one entry a file with the
reason it owns the symbol.  EXCEPTIONS are today's uses that break a rule:
each is to be removed as the code is restructured, never added to.
"""
import fnmatch, os, re, sys

# The symbols, as regular expressions over C code without comments and strings.
SYMBOLS = {
    "archive_*": r"\barchive_[A-Za-z0-9_]+",
    "git_*": r"\bgit_[A-Za-z0-9_]+",
    "json_error_t": r"\bjson_error_t\b",
    "curl_*": r"\bcurl_[A-Za-z0-9_]+",
    "getenv": r"\b(?:secure_)?getenv\b",
    "yaml_*": r"\byaml_[A-Za-z0-9_]+",
    "libdeflate_*": r"\blibdeflate_[A-Za-z0-9_]+",
}

# (symbol, file under src/ (a glob), why that file owns it)
OWNERS = [
    ("archive_*", "build/layer.c", "writes every layer tar; libarchive's errors are read only there (its header says so)"),
    ("git_*", "build/build.c", "opens the context's repository; libgit2's errors are read there (its header says so)"),
    ("git_*", "git/*", "the repository's history and changes (describe, conventional, changed) read with libgit2"),
    ("json_error_t", "oci/image.c", "parses manifests, indexes and configs; jansson's errors are read there (its header says so)"),
    ("json_error_t", "oci/manifest.c", "the OCI model's descriptor, manifest and index parser (one reader, src/oci)"),
    ("yaml_*", "github/registryauth.c", "reads the registry-auth input, the one YAML input; libyaml's errors are read there (its header says so)"),
    ("libdeflate_*", "build/pgzip.c", "the gzip compressor of layers (one member a block, pgzip.h)"),
    ("curl_*", "registry/http.c", "the one HTTP layer over libcurl (STYLE.md: HTTP and JSON)"),
    ("getenv", "lib/tempfile.c", "the temporary directory ($TMPDIR or /tmp): one reader, one naming of temporary files"),
    ("getenv", "cli/*.c", "a command reads its environment and passes values to the domain code"),
    ("getenv", "github/ghctx.c", "the GitHub context is the runner's GITHUB_* environment"),
    ("getenv", "github/metaio.c", "metadata-action's inputs arrive as INPUT_* and DOCKER_METADATA_* variables"),
    ("getenv", "github/ghoutput.c", "GITHUB_OUTPUT and GITHUB_ENV name the runner's output files"),
    ("getenv", "registry/credentials.c", "credentials live where DOCKER_CONFIG, HOME and the runner's GITHUB_TOKEN say"),
    ("getenv", "registry/http.c", "curl-style SSL_CERT_FILE/SSL_CERT_DIR and the PUBLISH_LOW_SPEED_* limits of each transfer"),
]

# (symbol or "include DIR", file under src/, why it is tolerated today); all to be removed
EXCEPTIONS = [
    ("archive_*", "build/basetree.c", "to be removed: reads the base image's layer tars beside layer.c"),
    ("archive_*", "build/context.c", "to be removed: reads ADD's local archives beside layer.c"),
    ("archive_*", "oci/ocilayout.c", "to be removed: writes the docker-archive tar beside layer.c"),
    ("git_*", "github/ghctx.c", "to be removed: reads refs and commits with a second libgit2 error reader"),
    ("git_*", "github/action.c", "to be removed: sets libgit2's options (owner validation) itself"),
    ("json_error_t", "oci/ocilayout.c", "to be removed: parses index.json itself"),
    ("json_error_t", "registry/auth.c", "to be removed: parses the token response itself"),
    ("json_error_t", "registry/credentials.c", "to be removed: parses config.json itself"),
    ("json_error_t", "build/dockerfile.c", "to be removed: parses exec-form JSON arrays itself"),
    ("json_error_t", "github/ghctx.c", "to be removed: parses the event payload and API answers itself"),
    ("getenv", "build/build.c", "to be removed: SOURCE_DATE_EPOCH, PUBLISH_THREADS, to come from cmd_build"),
    ("getenv", "build/basetree.c", "to be removed: PUBLISH_CACHE_DIR, XDG_CACHE_HOME, HOME, to come from the caller"),
    ("getenv", "meta/datefmt.c", "to be removed: TZDIR and TZ in pure meta code"),
    ("include github", "meta/meta.c", "to be removed: meta includes github/ghctx.h"),
    ("include build", "oci/image.c", "to be removed: oci includes build/layer.h"),
]

# folder -> the folders it may include besides itself (None: any)
IMPORTS = {
    "lib": set(),                   # libc only
    "oci": {"lib"},
    "attest": {"oci", "lib"},       # SBOM, provenance, artifacts: documents, no I/O
    "registry": {"oci", "attest", "lib"},
    "meta": {"lib"},
    "git": {"oci", "lib"},          # libgit2 readers; plain data out
    "build": {"oci", "attest", "registry", "git", "lib"},
    "github": {"meta", "git", "build", "registry", "attest", "oci", "lib"},
    "cli": None,
}

INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"')


def strip(text, keep_strings):
    """text without comments (and string/char literals unless keep_strings), newlines kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j] if keep_strings else c + " " * max(j - i - 2, 0) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def listed(table, what, rel):
    """the index of the entry of table for what in rel, or -1"""
    for i, (w, g, _) in enumerate(table):
        if w == what and fnmatch.fnmatchcase(rel, g):
            return i
    return -1


def check(src):
    problems, used = [], set()
    files = []
    for folder in sorted(os.listdir(src)):
        d = os.path.join(src, folder)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                files.append((folder, folder + "/" + name))
    for folder, rel in files:
        path = os.path.join(src, rel)
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if folder not in IMPORTS:
            problems.append("%s:1: folder '%s' has no rule of what it may include (add it to IMPORTS)" % (path, folder))
            continue
        code = strip(text, keep_strings=False).split("\n")
        heads = strip(text, keep_strings=True).split("\n")
        for ln, line in enumerate(heads, 1):
            m = INCLUDE.match(line)
            if not m or "/" not in m.group(1):
                continue
            target = m.group(1).split("/")[0]
            allowed = IMPORTS[folder]
            if target == folder or allowed is None or target in allowed:
                continue
            e = listed(EXCEPTIONS, "include " + target, rel)
            if e >= 0:
                used.add(e)
                continue
            problems.append("%s:%d: %s may not include %s (allowed: %s)"
                            % (path, ln, folder, m.group(1), ", ".join(sorted(allowed)) or "libc only"))
        for sym, rx in SYMBOLS.items():
            r = re.compile(rx)
            for ln, line in enumerate(code, 1):
                m = r.search(line)
                if not m:
                    continue
                if listed(OWNERS, sym, rel) >= 0:
                    continue
                e = listed(EXCEPTIONS, sym, rel)
                if e >= 0:
                    used.add(e)
                    continue
                owners = ", ".join(g for w, g, _ in OWNERS if w == sym)
                problems.append("%s:%d: %s outside its owners (%s)" % (path, ln, m.group(0), owners))
    for i, (what, glob, why) in enumerate(EXCEPTIONS):
        if i not in used:
            problems.append("%s: known exception '%s' in %s no longer occurs: remove it from EXCEPTIONS"
                            % (os.path.abspath(__file__), what, glob))
    return problems


def main(argv):
    src = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
    if not os.path.isdir(src):
        sys.stderr.write("check-ownership: no directory '%s'\n" % src)
        return 2
    problems = check(os.path.normpath(src))
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
