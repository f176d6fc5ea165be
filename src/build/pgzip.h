/*
 * pgzip.h: a parallel, deterministic gzip compressor (after pigz) behind
 * the layer_compressor interface of layer.h.
 *
 * The output is a gzip file of one member per 1 MiB block of input, each
 * with no name and no time, deflated on its own by libdeflate, so its
 * bytes are the same whatever the number of threads: a layer's digest
 * does not depend on the machine's cores.  RFC 1952 allows any number of
 * members and every reader takes them as one stream: Go's compress/gzip
 * (docker, containerd, skopeo, umoci), GNU gzip and tar, libarchive,
 * Python's gzip, as for eStargz layers, which are built the same way.
 * A block that does not compress (judged from samples of its own bytes:
 * video, images, archives) is stored rather than deflated, which costs a
 * copy instead of deflate's CPU and still depends on the bytes alone.
 * Memory: at most 2 * threads + 2 blocks in flight (about 2 MiB each).
 */
#ifndef PGZIP_H
#define PGZIP_H

#include "build/layer.h"

#define PGZIP_MAX_THREADS 8

/* A new compressor writing to sink; level 1..12 (libdeflate's), 0: 4 (docker's layer size); threads clamped to 1..PGZIP_MAX_THREADS. */
struct layer_compressor *pgzip_new(int level, int threads, const struct layer_sink *sink);

/*
 * 1 if a block of len bytes is worth deflating: samples of it, deflated
 * alone at level 1, shrink by 5% or more; 0 if it is stored instead; -1
 * when out of memory.  Pure: the bytes alone decide.
 */
int pgzip_block_compresses(const unsigned char *in, size_t len);

#endif
