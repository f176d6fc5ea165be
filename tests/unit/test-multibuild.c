/*
 * test-multibuild.c: build_run_platforms() on a FROM scratch Dockerfile
 * (no registry): two platforms give one layout with an OCI index over
 * two manifests and nothing left beside it; one platform gives the
 * manifest itself; several platforms into a docker archive are refused.
 */
#include "lib/common.h"
#include "build/multibuild.h"
#include "tap.h"

#include <dirent.h>
#include <ftw.h>
#include <sys/stat.h>
#include <jansson.h>

static char root[] = "/tmp/test-multibuild.XXXXXX";

static void write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(content, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, sorted, joined with ' ' into out. */
static void list_dir(const char *dir, struct strbuf *out)
{
	struct strlist names = STRLIST_INIT;
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			strlist_push(&names, e->d_name);
	if (d)
		closedir(d);
	qsort(names.items, names.nr, sizeof(char *), cmp_names);
	strlist_join(&names, " ", out);
	strlist_release(&names);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void opts_for(struct build_opts *o, struct strbuf *ctx, struct strbuf *out, const char *const *tags)
{
	*o = (struct build_opts)BUILD_OPTS_INIT;
	o->context = ctx->buf;
	o->output_kind = BUILD_OUTPUT_OCI;
	o->output = out->buf;
	o->tags = tags;
	o->tags_nr = 1;
	o->epoch = 0;
	o->quiet = 1;
}

int main(void)
{
	static const char *const platforms[] = { "linux/amd64", "linux/arm64" };
	static const char *const tags[] = { "example.com/app:1" };
	struct kvlist_item ann = { "org.example.note", "on the index" };
	struct build_opts o;
	struct build_platforms_result res;
	struct strbuf ctx = STRBUF_INIT, out = STRBUF_INIT, path = STRBUF_INIT, buf = STRBUF_INIT;
	json_t *j;

	error_set_quiet(1);
	if (!mkdtemp(root)) {
		perror(root);
		return 1;
	}
	strbuf_addf(&ctx, "%s/ctx", root);
	mkdir(ctx.buf, 0755);
	strbuf_addf(&path, "%s/Dockerfile", ctx.buf);
	write_file(path.buf, "FROM scratch\nCOPY a /a\n");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/a", ctx.buf);
	write_file(path.buf, "hello\n");
	strbuf_addf(&out, "%s/oci", root);

	opts_for(&o, &ctx, &out, tags);
	build_platforms_result_init(&res);
	ok(!build_run_platforms(&o, platforms, 2, &ann, 1, &res), "two platforms build");
	is_str(res.media_type, MT_OCI_INDEX, "an OCI index");
	is_int((int)res.configs.nr, 2, "one config a platform");
	ok(res.size > 0, "a size");
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/index.json", out.buf);
	j = strbuf_read_file(&buf, path.buf, 1 << 20) < 0 ? NULL : json_loadb(buf.buf, buf.len, 0, NULL);
	ok(j && json_array_size(json_object_get(j, "manifests")) == 1, "index.json: one descriptor");
	is_str(json_string_value(json_object_get(json_array_get(json_object_get(j, "manifests"), 0), "digest")),
	       res.digest, "naming the index");
	json_decref(j);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/blobs/sha256/%s", out.buf, res.digest + 7);
	strbuf_reset(&buf);
	j = strbuf_read_file(&buf, path.buf, 1 << 20) < 0 ? NULL : json_loadb(buf.buf, buf.len, 0, NULL);
	is_int((int)json_array_size(json_object_get(j, "manifests")), 2, "the index holds two manifests");
	is_str(json_string_value(json_object_get(json_object_get(j, "annotations"), "org.example.note")),
	       "on the index", "index annotations");
	json_decref(j);
	strbuf_reset(&buf);
	list_dir(root, &buf);
	is_str(buf.buf, "ctx oci", "no scratch directory left beside the output");
	build_platforms_result_release(&res);

	ok(!build_run_platforms(&o, platforms, 1, NULL, 0, &res), "one platform builds");
	is_str(res.media_type, MT_OCI_MANIFEST, "the manifest itself");
	is_int((int)res.configs.nr, 1, "one config");
	build_platforms_result_release(&res);

	o.output_kind = BUILD_OUTPUT_DOCKER;
	ok(build_run_platforms(&o, platforms, 2, NULL, 0, &res) == -EXIT_USAGE,
	   "several platforms into a docker archive are refused");

	nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	strbuf_release(&ctx);
	strbuf_release(&out);
	strbuf_release(&path);
	strbuf_release(&buf);
	return tap_done();
}
