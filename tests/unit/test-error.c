/*
 * test-error: the recorded error and the quiet flag belong to the thread
 * that reports (registry_prepush_*'s upload thread reports while the
 * build, on the main thread, goes on and may be quiet for a while).
 */
#include "lib/common.h"
#include "tap.h"

#include <pthread.h>
#include <unistd.h>

static char thread_saw[256];

static void *fail_in_thread(void *arg)
{
	(void)arg;
	error("upload of 'blob' failed");
	snprintf(thread_saw, sizeof(thread_saw), "%s", error_last());
	return NULL;
}

static void *quiet_in_thread(void *arg)
{
	(void)arg;
	error_set_quiet(1);	/* the thread's own quiet: must not silence the main thread */
	return NULL;
}

int main(void)
{
	pthread_t t;
	char buf[4096];
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n;

	dup2(fileno(f), 2);
	error_set_quiet(1);
	error("main thread, quiet");
	pthread_create(&t, NULL, fail_in_thread, NULL);
	pthread_join(t, NULL);
	ok(!strcmp(error_last(), "main thread, quiet"), "the thread's error leaves the main thread's (got '%s')",
	   error_last());
	error_set_quiet(0);
	pthread_create(&t, NULL, quiet_in_thread, NULL);
	pthread_join(t, NULL);
	error("main thread, loud");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	is_str(thread_saw, "upload of 'blob' failed", "the thread reads its own error back");
	ok(strstr(buf, "error: upload of 'blob' failed\n") != NULL,
	   "the thread's error is printed though the main thread is quiet");
	ok(strstr(buf, "error: main thread, loud\n") != NULL,
	   "the thread's quiet does not silence the main thread");
	ok(strstr(buf, "main thread, quiet") == NULL, "the main thread's quiet error is not printed");
	return tap_done();
}
