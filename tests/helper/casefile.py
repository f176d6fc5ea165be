#!/usr/bin/env python3
"""casefile.py: the case-file reader of the shell and Python tests.

The format (tests/README, "Case files"; tests/unit/casefile.h reads the
same in C):

  lines before the first block are free text (comments)
  ### NAME          starts a block
  --- SECTION       starts a section of the block; the text before the
                    first "--- " is the section "input", kept as it is;
                    the other sections lose their trailing empty lines
                    (one final newline stays)

The input section may hold fields, one "key: value" a line (a key may
repeat); empty lines and lines starting with '#' are skipped there; a
value starting with '"' is a JSON string.

As a module:  blocks(path) -> [Block(name, line, sections, fields)]
As a command:
  casefile.py count FILE          the number of blocks
  casefile.py split FILE N DIR    block N (1-based): prints its name, writes
                                  each section to DIR/SECTION and the values
                                  of each field to DIR/KEY.field (one a line)
Exit 2 and FILE:LINE on stderr for a malformed file.
"""
import json, os, sys


class CaseFileError(Exception):
    pass


class Block:
    def __init__(self, path, name, line):
        self.path, self.name, self.line = path, name, line
        self.sections = {"input": ""}    # name -> text, in file order
        self._fields = None

    def fields(self):
        """The (key, value) pairs of the input section, in order."""
        if self._fields is None:
            out = []
            for n, text in enumerate(self.sections["input"].split("\n"), self.line + 1):
                if not text or text.startswith("#"):
                    continue
                key, colon, val = text.partition(":")
                if not colon or not key:
                    raise CaseFileError("%s:%d: not a \"key: value\" line" % (self.path, n))
                if val.startswith(" "):
                    val = val[1:]
                if val.startswith('"'):
                    try:
                        val = json.loads(val)
                    except ValueError:
                        val = None
                    if not isinstance(val, str):
                        raise CaseFileError("%s:%d: bad JSON string" % (self.path, n))
                out.append((key, val))
            self._fields = out
        return self._fields

    def get(self, key, default=None):
        """The first value of key, or default."""
        for k, v in self.fields():
            if k == key:
                return v
        return default


def _trim(text):
    text = text.rstrip("\n")
    return text + "\n" if text else ""


def blocks(path):
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        data = f.read()
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out, cur, sec = [], None, None
    for n, text in enumerate(lines, 1):
        if text.startswith("### "):
            cur = Block(path, text[4:], n)
            sec = "input"
            out.append(cur)
        elif cur is None:
            continue
        elif text.startswith("--- "):
            sec = text[4:]
            if sec in cur.sections:
                raise CaseFileError("%s:%d: section '%s' twice in one block" % (path, n, sec))
            cur.sections[sec] = ""
        else:
            cur.sections[sec] += text + "\n"
    for b in out:
        for k in b.sections:
            if k != "input":
                b.sections[k] = _trim(b.sections[k])
    return out


def _write(path, text):
    with open(path, "w", encoding="utf-8", errors="surrogateescape", newline="") as f:
        f.write(text)


def split(path, nth, outdir):
    bs = blocks(path)
    if not 1 <= nth <= len(bs):
        raise CaseFileError("%s: no block %d (%d blocks)" % (path, nth, len(bs)))
    b = bs[nth - 1]
    os.makedirs(outdir, exist_ok=True)
    for name, text in b.sections.items():
        if not name or "/" in name or name.endswith(".field") or name in (".", ".."):
            raise CaseFileError("%s:%d: section name '%s' cannot be a file name" % (path, b.line, name))
        _write(os.path.join(outdir, name), text)
    values = {}
    for k, v in b.fields():
        values.setdefault(k, []).append(v)
    for k, vs in values.items():
        if "/" in k:
            raise CaseFileError("%s:%d: field name '%s' cannot be a file name" % (path, b.line, k))
        _write(os.path.join(outdir, k + ".field"), "".join(v + "\n" for v in vs))
    return b.name


def main(argv):
    try:
        if len(argv) == 3 and argv[1] == "count":
            print(len(blocks(argv[2])))
            return 0
        if len(argv) == 5 and argv[1] == "split":
            print(split(argv[2], int(argv[3]), argv[4]))
            return 0
    except (CaseFileError, OSError) as e:
        sys.stderr.write("casefile.py: %s\n" % e)
        return 2
    sys.stderr.write("usage: casefile.py count FILE | split FILE N DIR\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
