/*
 * registry_opts.c: see registry_opts.h.
 */
#include "lib/common.h"
#include "cli/registry_opts.h"
#include "oci/ocilayout.h"

#include <unistd.h>

int registry_cli_add_insecure(const struct option *opt, const char *arg)
{
	struct registry_cli *rc = opt->value;

	ALLOC_GROW(rc->insecure, rc->nr_insecure + 2, rc->alloc_insecure);
	rc->insecure[rc->nr_insecure++] = arg;
	rc->insecure[rc->nr_insecure] = NULL;
	return 0;
}

int registry_cli_finish(struct registry_cli *rc)
{
	struct strbuf pw = STRBUF_INIT;
	char buf[4096];
	ssize_t n;

	if (rc->password_stdin) {
		if (!rc->username)
			return error_as(EXIT_USAGE, "--password-stdin needs --username");
		while ((n = read(0, buf, sizeof(buf))) > 0)
			if (strbuf_add_capped(&pw, buf, (size_t)n, 64u << 10) < 0) {
				strbuf_release(&pw);
				return error_as(EXIT_USAGE, "the password on stdin is longer than 64 KiB");
			}
		while (pw.len && (pw.buf[pw.len - 1] == '\n' || pw.buf[pw.len - 1] == '\r'))
			strbuf_setlen(&pw, pw.len - 1);
		if (!pw.len) {
			strbuf_release(&pw);
			return error_as(EXIT_USAGE, "--password-stdin read an empty password");
		}
		rc->password = strbuf_detach(&pw, NULL);
	} else if (rc->username) {
		return error_as(EXIT_USAGE, "--username needs --password-stdin (passwords are not taken on the command line)");
	}
	rc->opts.cred.username = (char *)rc->username;	/* copied by registry_client_new() */
	rc->opts.cred.password = rc->password;
	rc->opts.cred.source = "--username";
	rc->opts.insecure_registries = rc->insecure;
	return 0;
}

void registry_cli_release(struct registry_cli *rc)
{
	if (rc->password)
		memset(rc->password, 0, strlen(rc->password));
	free(rc->password);
	free(rc->insecure);
	rc->username = NULL;
	rc->password = NULL;
	rc->insecure = NULL;
}

static void print_summary(const struct push_report *r)
{
	size_t n[3] = { 0, 0, 0 };
	long long mib10;

	for (size_t i = 0; i < r->nr_blobs; i++)
		n[r->blobs[i].outcome]++;
	mib10 = r->bytes_pushed * 10 / (1024 * 1024);
	fprintf(stderr, "%zu blobs pushed (%lld.%lld MiB), %zu mounted, %zu already there; %zu manifests\n",
		n[BLOB_PUSHED], mib10 / 10, mib10 % 10, n[BLOB_MOUNTED], n[BLOB_EXISTED], r->nr_manifests);
}

static int write_digest_file(const char *path, const char *digest)
{
	FILE *f = fopen(path, "w");
	int bad = !f || fprintf(f, "%s\n", digest) < 0;

	if (f && fclose(f) != 0)
		bad = 1;
	return bad ? error("cannot write '%s'", path) : 0;
}

int registry_cli_report(const struct registry_cli *rc, const struct push_report *rep,
			const char *digest_file)
{
	if (digest_file && write_digest_file(digest_file, rep->digest))
		return -1;
	if (!rc->opts.quiet)
		print_summary(rep);
	printf("%s\n", rep->digest);
	return 0;
}

int registry_cli_names_tag(const char *s)
{
	size_t end = strcspn(s, "@"), name = 0;

	for (size_t i = 0; i < end; i++)
		if (s[i] == '/')
			name = i + 1;
	return memchr(s + name, ':', end - name) != NULL;
}

int registry_cli_transfer(int argc, char **argv, const char *const *usage, int src_is_layout)
{
	struct registry_cli rc = REGISTRY_CLI_INIT;
	struct reference src = REFERENCE_INIT, *dsts = NULL;
	struct push_report rep = PUSH_REPORT_INIT;
	struct registry_client *c = NULL;
	const char *layout = NULL, *digest_file = NULL;
	const char **dst_hosts = xcalloc((size_t)argc + 1, sizeof(char *));
	const char **rest = (const char **)argv;
	size_t nr_dsts = 0;
	int ret, by_digest = 0, sbom = 0, provenance = 0;
	struct option options[] = {
		OPT_FLAG(0, "by-digest", &by_digest, "push by digest only: REF names a repository, no\n"
			 "tag is written or moved (a matrix job, before `publish merge`)"),
		OPT_FLAG(0, "sbom", &sbom, "attach an SPDX SBOM to each image pushed"),
		OPT_FLAG(0, "provenance", &provenance, "attach SLSA provenance to each image pushed"),
		OPT_STRING(0, "digest-file", &digest_file, "<file>", "write the pushed digest to FILE"),
		REGISTRY_CLI_OPTIONS(&rc),
		OPT_END(),
	};

	/* --by-digest, --sbom, --provenance are push's alone: copy's table starts after them */
	if ((ret = parse_options(&argc, argv, options + (src_is_layout ? 0 : 3), usage, 0))) {
		ret = ret > 0 ? 0 : ret;
		goto out;
	}
	if (argc < 2) {
		parse_options_usage(stderr, usage, options + (src_is_layout ? 0 : 3));
		ret = -EXIT_USAGE;
		goto out;
	}
	if ((ret = registry_cli_finish(&rc)))
		goto out;
	if (!strncmp(rest[0], "oci:", 4))
		layout = rest[0] + 4;
	else if (src_is_layout)
		layout = rest[0];
	else if ((ret = reference_parse(rest[0], &src)))
		goto out;
	dsts = xcalloc((size_t)argc, sizeof(*dsts));
	for (int i = 1; i < argc; i++) {
		if (by_digest && registry_cli_names_tag(rest[i])) {
			ret = error_as(EXIT_USAGE, "--by-digest pushes no tag, but '%s' names one", rest[i]);
			goto out;
		}
		if ((ret = reference_parse(rest[i], &dsts[nr_dsts])))
			goto out;
		if (by_digest) {
			free(dsts[nr_dsts].tag);	/* "latest", filled in by the parser */
			dsts[nr_dsts].tag = NULL;
		}
		dst_hosts[nr_dsts] = dsts[nr_dsts].registry;
		nr_dsts++;
	}
	rc.opts.cred_registries = dst_hosts;
	c = registry_client_new(&rc.opts);
	if (layout) {
		ret = ocilayout_check(layout);
		if (!ret)
			ret = registry_push_layout(c, layout, dsts, nr_dsts, &rep);
		if (!ret && (sbom || provenance))
			ret = push_attest(c, layout, dsts, nr_dsts, sbom, provenance);
	} else {
		ret = registry_copy(c, &src, dsts, nr_dsts, &rep);
	}
	if (!ret)
		ret = registry_cli_report(&rc, &rep, digest_file);
out:
	registry_client_free(c);
	push_report_release(&rep);
	for (size_t i = 0; i < nr_dsts; i++)
		reference_release(&dsts[i]);
	free(dsts);
	reference_release(&src);
	registry_cli_release(&rc);
	free(dst_hosts);
	return error_exit_code(ret);
}
