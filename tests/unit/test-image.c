/*
 * test-image.c: the image config and manifest JSON (oci/image.c), the
 * index built for several platforms and a platform picked from one, and
 * the descriptors, manifests and indexes read by oci/manifest.c.
 */
#include "lib/common.h"
#include "lib/digest.h"
#include "build/layer.h"
#include "oci/image.h"
#include "oci/manifest.h"
#include "tap.h"

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void test_image(void)
{
	struct image_base base;
	struct image img;
	struct image_finish_opts fo = { 0 };
	struct kvlist_item labels[] = { { "org.opencontainers.image.source", "https://github.com/o/r" }, { "a", "meta" } };
	struct kvlist_item ann[] = { { "org.opencontainers.image.version", "1.0" } };
	struct strbuf cfg = STRBUF_INIT, man = STRBUF_INIT;
	char cd[DIGEST_HEX_LEN + 1], md[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
	struct layer l;
	const char *bm = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"sha256:"
		"1111111111111111111111111111111111111111111111111111111111111111\",\"size\":10},"
		"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"sha256:"
		"2222222222222222222222222222222222222222222222222222222222222222\",\"size\":20}]}";
	const char *bc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\",\"A=1\"],"
		"\"Cmd\":[\"sh\"],\"Labels\":{\"a\":\"base\",\"b\":\"base\"}},\"rootfs\":{\"type\":\"layers\","
		"\"diff_ids\":[\"sha256:3333333333333333333333333333333333333333333333333333333333333333\"]},"
		"\"history\":[{\"created_by\":\"base\"}]}";

	image_base_init(&base);
	ok(image_base_set(&base, "docker.io/library/busybox:1", "sha256:4444444444444444444444444444444444444444444444444444444444444444",
			  bm, strlen(bm), bc, strlen(bc)) == 0, "base image read");
	error_set_quiet(1);
	ok(image_init(&img, &base, "linux/arm64", 0, 0) < 0, "a base of another platform is refused");
	error_set_quiet(0);
	ok(image_init(&img, &base, "linux/amd64", 1578616200, 0) == 0, "image from the base");
	image_set_env(&img, "A", "2");
	image_set_env(&img, "B", "x y");
	is_str(image_get_env(&img, "A"), "2", "ENV replaces in place");
	image_set_entrypoint(&img, json_pack("[s]", "/app"));
	image_set_label(&img, "b", "dockerfile");
	image_set_label(&img, "a", "dockerfile");
	image_add_port(&img, "8080");
	image_set_workdir(&img, "/app");
	image_set_user(&img, "1000:1000");
	image_add_history(&img, "ENV A=2", 1);
	layer_init(&l);
	snprintf(l.digest, sizeof(l.digest), "sha256:%064d", 5);
	snprintf(l.diff_id, sizeof(l.diff_id), "sha256:%064d", 6);
	l.size = 99;
	image_add_layer(&img, &l);
	image_add_history(&img, "COPY . /app", 0);
	fo.labels = labels;
	fo.labels_nr = 2;
	fo.annotations = ann;
	fo.annotations_nr = 1;
	ok(image_finish(&img, &fo, &cfg, cd, &man, md) == 0, "finish");
	is_str(cfg.buf,
	       "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/app\"],\"Env\":[\"PATH=/bin\",\"A=2\",\"B=x y\"],"
	       "\"ExposedPorts\":{\"8080/tcp\":{}},\"Labels\":{\"a\":\"meta\",\"b\":\"dockerfile\","
	       "\"org.opencontainers.image.source\":\"https://github.com/o/r\"},\"User\":\"1000:1000\","
	       "\"WorkingDir\":\"/app\"},\"created\":\"2020-01-10T00:30:00Z\",\"history\":[{\"created_by\":\"base\"},"
	       "{\"comment\":\"publish\",\"created\":\"2020-01-10T00:30:00Z\",\"created_by\":\"ENV A=2\",\"empty_layer\":true},"
	       "{\"comment\":\"publish\",\"created\":\"2020-01-10T00:30:00Z\",\"created_by\":\"COPY . /app\"}],"
	       "\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[\"sha256:3333333333333333333333333333333333333333333333333333333333333333\","
	       "\"sha256:0000000000000000000000000000000000000000000000000000000000000006\"],\"type\":\"layers\"}}",
	       "config: ENTRYPOINT dropped the inherited CMD, labels base < Dockerfile < meta, sorted compact");
	digest_buffer(cfg.buf, cfg.len, got);
	is_str(cd, got, "config digest is of those bytes");
	ok(strstr(man.buf, "\"annotations\":{\"org.opencontainers.image.base.digest\":\"sha256:4444") &&
	   strstr(man.buf, "\"org.opencontainers.image.base.name\":\"docker.io/library/busybox:1\"") &&
	   strstr(man.buf, "\"org.opencontainers.image.version\":\"1.0\""), "manifest annotations: meta's and the base");
	ok(strstr(man.buf, "\"layers\":[{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		  "\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":20},"), "base layer first, OCI media type");
	digest_buffer(man.buf, man.len, got);
	is_str(md, got, "manifest digest is of those bytes");
	image_release(&img);
	image_base_release(&base);
	strbuf_release(&cfg);
	strbuf_release(&man);

	{
		const char *idx = "{\"manifests\":[{\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
			"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},{\"digest\":"
			"\"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":2,\"platform\":"
			"{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";

		ok(image_index_select(idx, strlen(idx), "linux/arm64", got) == 0 && got[7] == 'b', "index: arm64 picked");
		ok(image_index_select(idx, strlen(idx), "linux/amd64", got) == 0 && got[7] == 'a', "index: amd64 picked");
		error_set_quiet(1);
		is_int(image_index_select(idx, strlen(idx), "linux/s390x", got), -EXIT_NOT_FOUND, "index: no such platform");
		error_set_quiet(0);
	}
}

static void test_index(void)
{
	struct image_index_entry ms[] = {
		{ "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 10, MT_OCI_MANIFEST, "linux/amd64" },
		{ "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 20, MT_OCI_MANIFEST, "linux/arm64/v8" },
		{ "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc", 30, MT_OCI_MANIFEST, "linux/arm/v7" },
	};
	struct kvlist_item ann[] = { { "org.opencontainers.image.version", "1" } };
	struct strbuf out = STRBUF_INIT;
	char d[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];

	ok(image_index_build(ms, 3, 0, ann, 1, &out, d) == 0, "index built");
	is_str(out.buf,
	       "{\"annotations\":{\"org.opencontainers.image.version\":\"1\"},\"manifests\":["
	       "{\"digest\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"size\":10},"
	       "{\"digest\":\"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\",\"variant\":\"v7\"},\"size\":30},"
	       "{\"digest\":\"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"mediaType\":"
	       "\"application/vnd.oci.image.manifest.v1+json\",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"},\"size\":20}],"
	       "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":2}",
	       "index: sorted compact, platforms normalised (arm64/v8 is arm64), entries in platform order");
	digest_buffer(out.buf, out.len, got);
	is_str(d, got, "index digest is of those bytes");
	ok(image_index_select(out.buf, out.len, "linux/arm/v7", got) == 0 && got[7] == 'c', "and it selects back");
	strbuf_release(&out);
}

static void test_manifest(void)
{
	const char *m = "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
		"\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D("1") "\",\"size\":10},"
		"\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"digest\":\"" D("2") "\",\"size\":20},"
		"{\"mediaType\":\"" MT_OCI_LAYER_ZSTD "\",\"digest\":\"" D("3") "\",\"size\":30}],"
		"\"annotations\":{\"" ANN_BASE_NAME "\":\"docker.io/library/alpine:3\"}}";
	const char *idx = "{\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
		"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D("a") "\",\"size\":1,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"x86_64\"},"
		"\"annotations\":{\"" ANN_REF_NAME "\":\"v1\"}},"
		"{\"mediaType\":\"" MT_OCI_INDEX "\",\"digest\":\"" D("b") "\",\"size\":2,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
		"{\"mediaType\":\"" MT_OCI_MANIFEST "\",\"digest\":\"" D("c") "\",\"size\":3,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
	struct oci_manifest man = OCI_MANIFEST_INIT;
	struct oci_index ix = OCI_INDEX_INIT;
	struct oci_descriptor copy = OCI_DESCRIPTOR_INIT;
	struct platform want = PLATFORM_INIT;
	char got[DIGEST_HEX_LEN + 1];
	json_t *j;
	char *s;

	ok(oci_manifest_parse(m, strlen(m), EXIT_REGISTRY, "m", &man) == 0, "manifest read");
	is_str(man.config.digest, D("1"), "its config");
	ok(man.nr_layers == 2 && man.layers[1].size == 30, "its layers");
	is_str(man.layers[0].media_type, MT_OCI_LAYER_GZIP, "a layer's media type");
	is_str(oci_manifest_annotation(&man, ANN_BASE_NAME), "docker.io/library/alpine:3", "its annotation");
	j = oci_descriptor_json(&man.layers[0]);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(s, "{\"digest\":\"" D("2") "\",\"mediaType\":\"" MT_OCI_LAYER_GZIP "\",\"size\":20}",
	       "a descriptor written back");
	free(s);
	json_decref(j);
	oci_manifest_release(&man);

	ok(oci_index_parse(idx, strlen(idx), EXIT_REGISTRY, "i", &ix) == 0 && ix.nr_manifests == 3, "index read");
	is_str(ix.manifests[0].platform.architecture, "amd64", "platforms normalised");
	is_str(oci_descriptor_annotation(&ix.manifests[0], ANN_REF_NAME), "v1", "annotations kept");
	oci_descriptor_copy(&ix.manifests[0], &copy);
	j = oci_descriptor_json(&copy);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(s, "{\"annotations\":{\"" ANN_REF_NAME "\":\"v1\"},\"digest\":\"" D("a") "\",\"mediaType\":\""
	       MT_OCI_MANIFEST "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"size\":1}",
	       "a copied index entry written back, platform and annotations");
	free(s);
	json_decref(j);
	oci_descriptor_release(&copy);
	platform_parse("linux/arm64", &want);
	ok(oci_index_find(&ix, &want) == 2, "find: arm64, skipping a nested index");
	platform_release(&want);
	platform_parse("linux/s390x", &want);
	ok(oci_index_find(&ix, &want) == -1, "find: none");
	platform_release(&want);
	oci_index_release(&ix);
	ok(image_index_select(idx, strlen(idx), "linux/amd64", got) == 0 && got[7] == 'a',
	   "select: x86_64 in the index is amd64");
	ok(oci_is_index(MT_DOCKER_LIST) && oci_is_index(MT_OCI_INDEX) && !oci_is_index(MT_OCI_MANIFEST) &&
	   !oci_is_index(NULL), "index media types");
	s = oci_media_type(idx, strlen(idx));
	is_str(s, MT_OCI_INDEX, "media type from the document");
	free(s);
	s = oci_media_type("{\"manifests\":[]}", 16);
	is_str(s, MT_OCI_INDEX, "an index by its shape");
	free(s);
	ok(oci_media_type("[]", 2) == NULL, "neither: none");

	error_set_quiet(1);
	is_int(oci_manifest_parse("{", 1, EXIT_REGISTRY, "m", &man), -EXIT_REGISTRY, "bad JSON: the caller's code");
	is_int(oci_manifest_parse("{}", 2, EXIT_CONTEXT, "m", &man), -EXIT_CONTEXT, "no config refused");
	is_int(oci_manifest_parse("{\"config\":{\"digest\":\"sha256:12\",\"size\":1}}", 38, EXIT_REGISTRY, "m",
				  &man), -EXIT_REGISTRY, "a malformed digest refused");
	is_int(oci_index_parse("{\"manifests\":{}}", 16, EXIT_REGISTRY, "i", &ix), -EXIT_REGISTRY,
	       "manifests not an array refused");
	is_int(oci_index_parse("{\"manifests\":[{\"digest\":\"" D("a") "\",\"size\":-1}]}",
			       strlen("{\"manifests\":[{\"digest\":\"" D("a") "\",\"size\":-1}]}"), EXIT_REGISTRY, "i",
			       &ix), -EXIT_REGISTRY, "a negative size refused");
	error_set_quiet(0);
}

int main(void)
{
	test_image();
	test_index();
	test_manifest();
	return tap_done();
}
