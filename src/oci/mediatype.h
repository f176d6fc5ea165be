/*
 * mediatype.h: every OCI and Docker media type and annotation name that
 * publish reads or writes, spelled once.
 *
 * MT_*: media types of manifests, indexes, configs and layers (OCI
 * image-spec and Docker image manifest v2 schema 2).  ANN_*: the
 * annotation keys of the image-spec ("annotations.md") that we write on
 * manifests and on index.json descriptors.  Pure: names only.
 */
#ifndef OCI_MEDIATYPE_H
#define OCI_MEDIATYPE_H

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_DOCKER_LAYER_ZSTD "application/vnd.docker.image.rootfs.diff.tar.zstd"
/* schema 1, which we refuse: plain and signed */
#define MT_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"

/* the tag (or full reference) an index.json descriptor names */
#define ANN_REF_NAME "org.opencontainers.image.ref.name"
/* the base image whose layers a layout may omit, and its manifest digest */
#define ANN_BASE_NAME "org.opencontainers.image.base.name"
#define ANN_BASE_DIGEST "org.opencontainers.image.base.digest"

#endif
