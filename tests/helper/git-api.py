#!/usr/bin/env python3
"""git-api.py: the part of GitHub's REST API that shallow clones ask for,
answered from a whole git repository, for the tests of describe,
conventional, paths= and `publish changed` on shallow clones.

usage: git-api.py PORT REPO_DIR OWNER/REPO

Serves on 127.0.0.1:PORT, for /repos/OWNER/REPO (case-insensitive, as
GitHub's), from the repository in REPO_DIR:
  GET /repos/O/R                      {"name", "default_branch": "main"}
  GET /repos/O/R/tags                 tags with their commits (paged)
  GET /repos/O/R/commits?sha=REV      the history of REV (paged)
  GET /repos/O/R/commits/SHA          one commit with its files
  GET /repos/O/R/compare/BASE...HEAD  git's three dots: the commits of
        BASE..HEAD (paged, total_commits) and the files changed since
        the merge base (renames as GitHub gives them), on the first page
        only, at most 300 (GitHub's way); 404 for a revision it lacks
Pages: page= and per_page= (default 30).  Each request is appended to
./requests.log as "PATH AUTHORIZATION" ("-" without one).  ./mode, when
there, changes the answers: "fail" answers 500 to everything, "many"
adds 300 files to a comparison.
"""
import http.server
import json
import subprocess
import sys
import urllib.parse

PORT, REPO, FULL = int(sys.argv[1]), sys.argv[2], sys.argv[3].lower()
PREFIX = "/repos/" + FULL


def git(*a):
    return subprocess.run(["git", "-C", REPO] + list(a), check=True, capture_output=True, text=True).stdout


def known(rev):
    return subprocess.run(["git", "-C", REPO, "rev-parse", "-q", "--verify", rev + "^{commit}"],
                          capture_output=True).returncode == 0


def commit(sha):
    out = git("show", "-s", "--format=%H%x00%P%x00%cI%x00%B", sha)
    h, p, d, msg = out.split("\0", 3)
    return {"sha": h, "parents": [{"sha": x} for x in p.split()],
            "commit": {"message": msg.rstrip("\n"), "committer": {"date": d}}}


def mode():
    try:
        with open("mode") as f:
            return f.read().strip()
    except OSError:
        return "ok"


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body):
        b = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        with open("requests.log", "a") as f:
            f.write("%s %s\n" % (self.path, self.headers.get("Authorization", "-")))
        m = mode()
        if m == "fail":
            return self.send(500, {"message": "down"})
        page = int(q.get("page", ["1"])[0])
        per = int(q.get("per_page", ["30"])[0])
        path = u.path.lower()
        if not path.startswith(PREFIX):
            return self.send(404, {"message": "Not Found"})
        rest = u.path[len(PREFIX):]
        if rest == "":
            return self.send(200, {"name": FULL.split("/")[1], "default_branch": "main"})
        if rest == "/tags":
            tags = git("for-each-ref", "refs/tags",
                       "--format=%(refname:short) %(*objectname) %(objectname)").split("\n")
            tags = [t.split() for t in tags if t]
            items = [{"name": t[0], "commit": {"sha": t[1]}} for t in tags]
            return self.send(200, items[(page - 1) * per:page * per])
        if rest == "/commits":
            shas = git("rev-list", q["sha"][0]).split()
            return self.send(200, [commit(s) for s in shas[(page - 1) * per:page * per]])
        if rest.startswith("/commits/"):
            sha = rest.split("/")[-1]
            c = commit(sha)
            files = git("diff-tree", "--root", "-r", "--no-commit-id", "--name-only", sha).split()
            c["files"] = [{"filename": f} for f in files]
            return self.send(200, c)
        if rest.startswith("/compare/"):
            base, head = urllib.parse.unquote(rest[len("/compare/"):]).split("...")
            if not known(base) or not known(head):
                return self.send(404, {"message": "Not Found"})
            shas = git("rev-list", base + ".." + head).split()
            files = []
            for line in git("diff", "--name-status", "-M", base + "..." + head).splitlines():
                f = line.split("\t")
                if f[0].startswith("R"):
                    files.append({"filename": f[2], "previous_filename": f[1], "status": "renamed"})
                else:
                    files.append({"filename": f[1], "status": "modified"})
            if m == "many":
                files += [{"filename": "docs/f%d" % i} for i in range(300)]
            body = {"total_commits": len(shas),
                    "commits": [{"sha": s} for s in shas[(page - 1) * per:page * per]]}
            if page == 1:
                body["files"] = files[:300]
            return self.send(200, body)
        self.send(404, {"message": "Not Found"})


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", PORT), H).serve_forever()
