/*
 * gopath.h: the pieces of Go's standard library that Docker's path
 * handling stands on, ported so our answers are Docker's to the byte.
 *
 * Docker (BuildKit, moby/patternmatcher, fsutil) is written in Go; a COPY
 * source glob is Go's path/filepath.Match, every path it compares is first
 * put through path.Clean, and its regular expressions see only what
 * utf8.Valid accepts.  The Dockerfile parser, the .dockerignore matcher
 * and the build-context walker all need the same three, so they live here
 * and nowhere else.
 *
 * Pure functions: no I/O, no allocation they do not free, no messages.
 * Paths use '/' (Linux only).
 */
#ifndef GOPATH_H
#define GOPATH_H

#include <stddef.h>

struct strbuf;

/*
 * Go's filepath.Match: '*' (not '/'), '?', '[...]' with ranges and '^'
 * negation, '\\' escapes.  1 match, 0 no match, -1 bad pattern (checked
 * to the end, as Go does, even after a mismatch).
 */
int gopath_match(const char *pattern, const char *name);

/* Docker's containsWildcards(): an unescaped '*', '?' or '['. */
int gopath_has_meta(const char *s);

/* Go's path.Clean ("" is "."); appends to out. */
void gopath_clean(const char *path, struct strbuf *out);

/*
 * path below a root: its components appended to out, a clean relative
 * path ("" for the root), "." and ".." resolved lexically and never
 * above the root; path.Clean("/" + out + "/" + path) without the
 * leading '/'.  A leading '/' in path means nothing more.
 */
void gopath_push(struct strbuf *out, const char *path);

/* Go's utf8.Valid: 1 when s[0..n) is UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
int gopath_utf8_valid(const char *s, size_t n);

/* The length of the longest valid UTF-8 prefix of s[0..n) (n when all of it is), for messages. */
size_t gopath_utf8_prefix(const char *s, size_t n);

#endif
