/*
 * cmd_inspect.c: `publish inspect REF`: an image's or index's digest,
 * media type, platforms, manifest and config, as JSON on stdout;
 * --raw prints the manifest bytes exactly as served, --config the config,
 * --files the image's file tree (from its layers' tar headers, through
 * basetree and its cache: one line an entry, no contents).
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "build/basetree.h"
#include "registry/registry.h"

#include <stdio.h>

#include <jansson.h>

static const char *const usage_str[] = { "publish inspect [<options>] REF", NULL };

static json_t *platform_json_list(const struct strbuf *index)
{
	json_t *root = json_loadb(index->buf, index->len, 0, NULL);
	json_t *out = json_array(), *m;
	size_t i;

	json_array_foreach(json_object_get(root, "manifests"), i, m) {
		json_t *p = json_object_get(m, "platform");	/* borrowed */
		struct strbuf sb = STRBUF_INIT;

		if (!json_is_object(p))
			continue;
		strbuf_addf(&sb, "%s/%s", json_string_value(json_object_get(p, "os")) ?: "?",
			    json_string_value(json_object_get(p, "architecture")) ?: "?");
		if (json_is_string(json_object_get(p, "variant")))
			strbuf_addf(&sb, "/%s", json_string_value(json_object_get(p, "variant")));
		json_array_append_new(out, json_string(sb.buf));	/* steals */
		strbuf_release(&sb);
	}
	json_decref(root);
	return out;
}

struct files_fetch {
	struct registry_client *c;
	const struct reference *ref;
	const struct remote_image *img;	/* its layers' sizes cap each download */
};

/* basetree_fetch_fn: a layer of the inspected image, to fd, stopped at its descriptor's size */
static int files_fetch(void *ctx, const char *digest, int fd)
{
	struct files_fetch *ff = ctx;
	long long size = -1;

	for (size_t i = 0; i < ff->img->nr_layers; i++)
		if (!strcmp(ff->img->layers[i].digest, digest))
			size = (long long)ff->img->layers[i].size;
	return registry_get_blob(ff->c, ff->ref, digest, size, fd);
}

static int print_files(struct registry_client *c, const struct reference *ref, const char *name,
		       const struct remote_image *img)
{
	static const char types[] = { 'd', '-', 'l', 'h', 'c' };
	struct files_fetch ff = { c, ref, img };
	struct basetree t;
	struct strbuf cache = STRBUF_INIT, what = STRBUF_INIT;
	int ret = 0;

	basetree_init(&t);
	basetree_cache_dir(&cache);
	for (size_t i = 0; i < img->nr_layers; i++) {
		strbuf_reset(&what);
		strbuf_addf(&what, "layer %s of %s", img->layers[i].digest, name);
		ret = basetree_add_layer(&t, img->layers[i].digest, img->layers[i].size, what.buf,
					 cache.buf, NULL, files_fetch, &ff);
		if (ret < 0)
			goto out;
	}
	for (size_t i = 0; i < t.nr; i++) {
		const struct basetree_entry *e = &t.v[i];

		printf("%c %04o %lld:%lld %s", types[e->type], e->mode, e->uid, e->gid, e->path);
		if (e->type == BASETREE_SYMLINK)
			printf(" -> %s", e->link);
		else if (e->type == BASETREE_HARDLINK)
			printf(" => %s", e->link);
		putchar('\n');
	}
out:
	basetree_release(&t);
	strbuf_release(&cache);
	strbuf_release(&what);
	return ret;
}

int cmd_inspect(int argc, char **argv)
{
	struct registry_cli rc = REGISTRY_CLI_INIT;
	struct reference ref = REFERENCE_INIT;
	struct registry_manifest m = REGISTRY_MANIFEST_INIT;
	struct remote_image img = REMOTE_IMAGE_INIT;
	struct platform plat = PLATFORM_INIT;
	struct registry_client *c = NULL;
	struct strbuf name = STRBUF_INIT;
	const char *arg = NULL, *plat_arg = NULL;
	int raw = 0, config = 0, files = 0, ret = 0;
	json_t *out = NULL;

	struct option options[] = {
		OPT_FLAG(0, "raw", &raw, "print the manifest bytes exactly as served"),
		OPT_FLAG(0, "config", &config, "print the image config bytes (of --platform for an index)"),
		OPT_FLAG(0, "files", &files, "list the image's files: type, mode, uid:gid, path\n"
			 "(from the layers' headers; cached by layer digest)"),
		OPT_STRING(0, "platform", &plat_arg, "<os/arch[/v]>",
			   "pick this platform of an index (default: show the index)"),
		REGISTRY_CLI_OPTIONS(&rc),
		OPT_END(),
	};

	if ((ret = parse_options(&argc, argv, options, usage_str, 0))) {
		ret = ret > 0 ? 0 : ret;
		goto done;
	}
	if (argc > 1) {
		ret = error_as(EXIT_USAGE, "unexpected argument '%s'", argv[1]);
		goto done;
	}
	if (!argc) {
		parse_options_usage(stderr, usage_str, options);
		ret = -EXIT_USAGE;
		goto done;
	}
	arg = argv[0];
	if ((ret = registry_cli_finish(&rc)))
		goto done;
	if (plat_arg && (ret = platform_parse(plat_arg, &plat)))
		goto done;
	if ((ret = reference_parse(arg, &ref)))
		goto done;
	rc.opts.quiet = 1;
	c = registry_client_new(&rc.opts);
	reference_format_name(&ref, &name);
	if ((ret = registry_get_manifest(c, &ref, &m)))
		goto done;
	if (raw && !plat_arg && !files) {
		fwrite(m.bytes.buf, 1, m.bytes.len, stdout);
		goto done;
	}
	/* an image, or the picked platform of an index: also its config */
	if (plat_arg || !oci_is_index(m.media_type) ||
	    config || files) {
		if ((ret = registry_fetch_image(c, &ref, plat_arg ? &plat : NULL, &img)))
			goto done;
	}
	if (files) {
		ret = print_files(c, &ref, name.buf, &img);
		goto done;
	}
	if (raw) {
		fwrite(img.manifest.bytes.buf, 1, img.manifest.bytes.len, stdout);
		goto done;
	}
	if (config) {
		fwrite(img.config.buf, 1, img.config.len, stdout);
		goto done;
	}
	out = json_object();
	json_object_set_new(out, "name", json_string(name.buf));	/* steals */
	if (img.manifest.bytes.len) {
		json_t *cfg = json_loadb(img.config.buf, img.config.len, 0, NULL);
		json_t *plats = json_array();
		struct strbuf p = STRBUF_INIT;

		strbuf_addf(&p, "%s/%s", json_string_value(json_object_get(cfg, "os")) ?: "?",
			    json_string_value(json_object_get(cfg, "architecture")) ?: "?");
		if (json_is_string(json_object_get(cfg, "variant")))
			strbuf_addf(&p, "/%s", json_string_value(json_object_get(cfg, "variant")));
		json_array_append_new(plats, json_string(p.buf));	/* steals */
		strbuf_release(&p);
		json_object_set_new(out, "digest", json_string(img.manifest.digest));	/* steals */
		json_object_set_new(out, "mediaType", json_string(img.manifest.media_type));
		if (img.index_digest[0])
			json_object_set_new(out, "indexDigest", json_string(img.index_digest));
		json_object_set_new(out, "platforms", plats);	/* steals */
		json_object_set_new(out, "manifest", json_loadb(img.manifest.bytes.buf,
								img.manifest.bytes.len, 0, NULL));
		json_object_set_new(out, "configDigest", json_string(img.config_desc.digest));
		json_object_set_new(out, "config", cfg ? cfg : json_null());	/* steals */
	} else {
		json_object_set_new(out, "digest", json_string(m.digest));	/* steals */
		json_object_set_new(out, "mediaType", json_string(m.media_type));
		json_object_set_new(out, "platforms", platform_json_list(&m.bytes));
		json_object_set_new(out, "manifest", json_loadb(m.bytes.buf, m.bytes.len, 0, NULL));
	}
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
done:
	json_decref(out);
	registry_client_free(c);
	registry_manifest_release(&m);
	remote_image_release(&img);
	platform_release(&plat);
	reference_release(&ref);
	strbuf_release(&name);
	registry_cli_release(&rc);
	return error_exit_code(ret);
}
