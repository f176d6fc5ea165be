/*
 * replay.c: run fuzz inputs through a harness once, without libFuzzer.
 *
 *   build/san/fuzz/replay-dockerfile FILE...   (e.g. each file of tests/fuzz/corpus/dockerfile)
 *
 * Linked with one tests/fuzz/fuzz-<target>.c and the sanitizer build of
 * the library (gcc or clang), so `make test` replays the committed
 * corpus and regression inputs in seconds on any compiler.  Each file is
 * handed over in an exact-size buffer, as libFuzzer does, so a read past
 * the end is caught by ASan.  A crash or sanitizer report ends the run
 * (non-zero exit) with the input's name printed just before it.
 */
#include "fuzz.h"

#define REPLAY_MAX (1 << 20)

int main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		struct strbuf sb = STRBUF_INIT;
		uint8_t *copy;

		if (strbuf_read_file(&sb, argv[i], REPLAY_MAX) < 0) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			strbuf_release(&sb);
			return 2;
		}
		fprintf(stderr, "replay: %s\n", argv[i]);
		copy = xmalloc(sb.len ? sb.len : 1);
		memcpy(copy, sb.buf, sb.len);
		LLVMFuzzerTestOneInput(copy, sb.len);
		free(copy);
		strbuf_release(&sb);
		n++;
	}
	fprintf(stderr, "replay: %d inputs, no crash\n", n);
	return 0;
}
