/*
 * cmd_inspect.c: `publish inspect REF`: an image's or index's digest,
 * media type, platforms, manifest and config, as JSON on stdout;
 * --raw prints the manifest bytes exactly as served, --config the config.
 */
#include "lib/common.h"
#include "cli/builtin.h"
#include "cli/registry_opts.h"
#include "registry.h"

#include <jansson.h>

static const char usage_str[] =
	"usage: publish inspect [<options>] REF\n"
	"\n"
	"  --raw                    print the manifest bytes exactly as served\n"
	"  --config                 print the image config bytes (of --platform for an index)\n"
	"  --platform OS/ARCH[/V]   pick this platform of an index (default: show the index)\n"
	REGISTRY_CLI_USAGE;

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
	int raw = 0, config = 0, ret = 0;
	json_t *out = NULL;

	for (int i = 1; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_str, stdout);
			goto done;
		}
		if (!strcmp(argv[i], "--raw")) {
			raw = 1;
			continue;
		}
		if (!strcmp(argv[i], "--config")) {
			config = 1;
			continue;
		}
		if (!strcmp(argv[i], "--platform")) {
			if (i + 1 >= argc) {
				ret = error_as(EXIT_USAGE, "option '--platform' needs a value");
				goto done;
			}
			plat_arg = argv[++i];
			continue;
		}
		r = registry_cli_option(&rc, argc, argv, &i);
		if (r < 0) {
			ret = r;
			goto done;
		}
		if (r)
			continue;
		if ((argv[i][0] == '-' && argv[i][1]) || arg) {
			ret = error_as(EXIT_USAGE, argv[i][0] == '-' ? "unknown option '%s'" :
				       "unexpected argument '%s'", argv[i]);
			goto done;
		}
		arg = argv[i];
	}
	if (!arg) {
		fputs(usage_str, stderr);
		ret = -EXIT_USAGE;
		goto done;
	}
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
	if (raw && !plat_arg) {
		fwrite(m.bytes.buf, 1, m.bytes.len, stdout);
		goto done;
	}
	/* an image, or the picked platform of an index: also its config */
	if (plat_arg || (strcmp(m.media_type, MEDIA_OCI_INDEX) && strcmp(m.media_type, MEDIA_DOCKER_LIST)) ||
	    config) {
		if ((ret = registry_fetch_image(c, &ref, plat_arg ? &plat : NULL, &img)))
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
