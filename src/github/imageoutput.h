/*
 * imageoutput.h: the action's outputs input, where the built image is
 * written into the workspace for a later step (docker load, a scanner),
 * pushed or not.  One entry a line, in the forms users paste from
 * docker/build-push-action's `outputs` or give as `publish build --output`:
 *
 *   type=docker,dest=PATH      a `docker load` archive (one platform)
 *   type=oci,dest=PATH,tar=false
 *                              an OCI image layout directory, complete
 *   docker:PATH   oci:PATH     the same, as `publish build --output`
 *
 * Not supported, each refused by name: type=oci with a tar (buildx's
 * default: give tar=false), type=local and type=tar (a file system
 * export needs RUN's world), type=registry and type=image (the push
 * input pushes to the tags), type=cacheonly, a key other than type, dest,
 * tar and name (name is taken and unused: the tags input names the image).
 * build-push-action's `load` has no counterpart (no Docker engine in the
 * action's container): type=docker and `docker load -i PATH` in a later step.
 *
 * PATH is relative to the workspace, or absolute inside it as the action
 * sees it or as the runner does (${{ github.workspace }}, wspath.h), and
 * must stay inside it.  imageoutput_parse() is pure; imageoutput_check_links() looks
 * at the work tree: the repository decides what its paths are, and a
 * symbolic link committed there must not carry the output out of the
 * workspace (onto the runner's file commands, say).
 */
#ifndef IMAGEOUTPUT_H
#define IMAGEOUTPUT_H

struct imageoutput {
	char *oci;	/* owned: the layout directory, relative to the workspace; NULL: none */
	char *docker;	/* owned: the archive file, relative to the workspace; NULL: none */
};

#define IMAGEOUTPUT_INIT { NULL, NULL }

/*
 * Parse text (NULL or blank: nothing) into out (set only on success);
 * workspace (may be NULL: no absolute PATH) is where an absolute PATH
 * must be (wspath.h).  -EXIT_INPUT naming 'outputs' for anything not supported, a
 * PATH outside the workspace, or a type given twice.
 */
struct wspath;
int imageoutput_parse(const char *text, const struct wspath *workspace, struct imageoutput *out);
void imageoutput_release(struct imageoutput *o);

/*
 * Each existing component of each PATH below workspace is a real
 * directory (the last one: not a symbolic link either), so writing there
 * stays inside the workspace.  -EXIT_INPUT naming 'outputs' and the link.
 */
int imageoutput_check_links(const struct imageoutput *o, const char *workspace);

#endif
