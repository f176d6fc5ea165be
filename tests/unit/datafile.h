/*
 * datafile.h: the former name of casefile.h's reader, kept only for
 * test-dockerfile.c and test-dockerignore.c (being split by others now);
 * to be removed when they include casefile.h and use its names.
 */
#ifndef DATAFILE_H
#define DATAFILE_H

#include "casefile.h"

#define datafile_block case_block
#define datafile casefile
#define datafile_dir casefile_find
#define datafile_list casefile_list
#define datafile_open casefile_open
#define datafile_close casefile_close
#define datafile_section case_section
#define datafile_block_release case_block_release
#define datafile_run_file casefile_run_file

/* 1 block read into b (not released first), 0 at the end */
static inline int datafile_next(struct casefile *cf, struct case_block *b)
{
	memset(b, 0, sizeof(*b));
	return casefile_next(cf, b);
}

#endif
