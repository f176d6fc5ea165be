/*
 * test-strbuf.c: the string buffer, error codes and digests.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "tap.h"

int main(void)
{
	struct strbuf sb = STRBUF_INIT;
	char hex[DIGEST_HEX_LEN + 1];
	char *s;
	size_t len;

	is_str(sb.buf, "", "a new strbuf is the empty string");
	strbuf_addstr(&sb, "  Hello");
	strbuf_addch(&sb, ',');
	strbuf_addf(&sb, " %s %d  ", "world", 42);
	is_str(sb.buf, "  Hello, world 42  ", "add, addch and addf append");
	strbuf_trim(&sb);
	is_str(sb.buf, "Hello, world 42", "trim removes both ends");
	strbuf_tolower(&sb);
	is_str(sb.buf, "hello, world 42", "tolower");
	{
		static const struct { long long n; const char *want; } sizes[] = {
			{ 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" }, { 1536, "1.5 KiB" },
			{ 1048576, "1.0 MiB" }, { 12LL << 20, "12.0 MiB" }, { 5LL << 29, "2.50 GiB" },
		};
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct strbuf h = STRBUF_INIT;

			strbuf_humanise_bytes(&h, sizes[i].n);
			is_str(h.buf, sizes[i].want, "humanise_bytes %lld", sizes[i].n);
			strbuf_release(&h);
		}
	}
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%04d", i);
	is_int(sb.len, 15 + 4000, "grows past many reallocations");
	ok(strbuf_add_capped(&sb, "abc", 3, sb.len + 2) < 0, "capped add refuses to pass the cap");
	is_int(sb.len, 4015, "and adds nothing");
	s = strbuf_detach(&sb, &len);
	is_int(len, 4015, "detach hands over the length");
	is_str(sb.buf, "", "detach re-initialises");
	free(s);
	strbuf_release(&sb);

	error_set_quiet(1);
	is_int(error("x"), -1, "error() returns -1");
	is_int(error_as(EXIT_AUTH, "denied '%s'", "r"), -EXIT_AUTH, "error_as() returns -code");
	is_str(error_last(), "denied 'r'", "the last message is kept");
	is_int(error_exit_code(-EXIT_AUTH), EXIT_AUTH, "exit code from -code");
	is_int(error_exit_code(-1), EXIT_FAIL, "plain -1 is EXIT_FAIL");
	is_int(error_exit_code(-1000), EXIT_FAIL, "out of range is EXIT_FAIL");

	ok(digest_buffer("", 0, hex) == 0, "digest of nothing");
	is_str(hex, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	       "sha256 of the empty string");
	ok(digest_is_valid(hex), "a digest is valid");
	ok(!digest_is_valid("sha256:E3B0"), "a short one is not");
	return tap_done();
}
