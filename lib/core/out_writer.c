/* out_writer.c - a struct out's writes from a thread (see out_writer.h). */
#include "out_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "readall.h"

/* The thread needs little stack, and a small one keeps the virtual size
 * within the limits tests/memory.bats sets (ulimit -v). */
#define WRITER_STACK (64 * 1024)

struct out_writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;   /* work handed over, or work done */
	int fd;
	char *spare;         /* the buffer the command gets next */
	char *busy;          /* the buffer being written, len bytes */
	size_t len;          /* 0: idle */
	int err;             /* the first failed write's errno */
	bool quit;
};

static void *run(void *arg)
{
	struct out_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && w->len == 0)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->len == 0) /* quit, and nothing left */
			break;
		char *p = w->busy;
		size_t n = w->len;
		bool skip = w->err != 0; /* after a failure nothing more is written */
		pthread_mutex_unlock(&w->mu);
		int e = skip || writeall_fd(w->fd, p, n) == 0 ? 0 : errno;
		pthread_mutex_lock(&w->mu);
		if (e && !w->err)
			w->err = e;
		w->spare = w->busy;
		w->busy = NULL;
		w->len = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct out_writer *out_writer_start(int fd, size_t cap)
{
	struct out_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fd = fd;
	if (!(w->spare = malloc(cap)))
		goto fail;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		goto fail;
	}
	pthread_attr_t attr;
	bool started = pthread_attr_init(&attr) == 0;
	if (started) {
		(void)pthread_attr_setstacksize(&attr, WRITER_STACK);
		started = pthread_create(&w->thread, &attr, run, w) == 0;
		pthread_attr_destroy(&attr);
	}
	if (started)
		return w;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
fail:
	free(w->spare);
	free(w);
	return NULL;
}

/* Wait, holding the lock, until the writer is idle; its error. */
static int wait_idle(struct out_writer *w)
{
	while (w->len != 0)
		pthread_cond_wait(&w->cv, &w->mu);
	return w->err;
}

int out_writer_hand(struct out_writer *w, char **buf, size_t len)
{
	pthread_mutex_lock(&w->mu);
	int err = wait_idle(w);
	if (!err) {
		w->busy = *buf;
		w->len = len;
		*buf = w->spare;
		w->spare = NULL;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return err;
}

int out_writer_drain(struct out_writer *w)
{
	pthread_mutex_lock(&w->mu);
	int err = wait_idle(w);
	pthread_mutex_unlock(&w->mu);
	return err;
}

int out_writer_stop(struct out_writer *w)
{
	pthread_mutex_lock(&w->mu);
	int err = wait_idle(w);
	w->quit = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w->spare);
	free(w);
	return err;
}
