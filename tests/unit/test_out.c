/* test_out.c - unit tests of lib/core/out.c and out_writer.c: atomic files
 * written in the caller's thread and from a writer thread (out_async).
 *
 * Plan: a file written atomically appears only at out_close, whole; the
 * same 12 MB written through out_async (large writes, single bytes and
 * printf mixed, so buffers turn over many times) are byte for byte those
 * written without it; out_flush waits for the thread (the bytes are in
 * the file after it); a descriptor that fails under the thread (closed
 * behind its back) reports its errno at close, through on_error in the
 * caller's thread, and leaves no file and no temporary; out_abort of a
 * file being written by a thread leaves nothing; out_async of a plain
 * descriptor (stdout) changes nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_out.XXXXXX";

static char *path_in(const char *name)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

/* The whole of file path (malloc'd; NULL if it cannot be read), *len. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *s = malloc((size_t)n + 1);
	*len = s ? fread(s, 1, (size_t)n, f) : 0;
	fclose(f);
	return s;
}

/* Entries of tmpdir, "." and ".." left out. */
static int entries(void)
{
	DIR *d = opendir(tmpdir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

/* 12 MB or so of mixed writes: large blocks, bytes, printf. */
static void write_mix(struct out *o)
{
	static char block[300000];
	for (size_t i = 0; i < sizeof block; i++)
		block[i] = (char)('a' + i % 26);
	for (int i = 0; i < 40; i++) {
		out_write(o, block, sizeof block - (size_t)i * 997);
		for (int k = 0; k < 1000; k++)
			out_putc(o, (char)('0' + k % 10));
		out_printf(o, "row %d\t%s\n", i, "end");
	}
}

static int errors_seen;
static void count_error(const struct out *o, int e)
{
	(void)o;
	(void)e;
	errors_seen++;
}

static void test_sync_and_async(void)
{
	struct out a, b;
	tap_ok(out_open_file(&a, path_in("sync")) == 0 && out_open_file(&b, path_in("async")) == 0, "two files opened");
	out_async(&b);
	tap_ok(b.writer != NULL, "the second written from a thread");
	write_mix(&a);
	write_mix(&b);
	struct stat st;
	tap_ok(stat(path_in("async"), &st) < 0 && errno == ENOENT, "nothing in place before the close");
	tap_ok(out_flush(&b) == 0 && b.len == 0, "out_flush waits for the thread");
	tap_ok(out_close(&a) == 0 && out_close(&b) == 0, "both closed");
	size_t na, nb;
	char *sa = slurp(path_in("sync"), &na), *sb = slurp(path_in("async"), &nb);
	tap_ok(sa && sb && na == nb && na > 11000000 && memcmp(sa, sb, na) == 0,
	       "byte for byte the same %zu bytes", na);
	free(sa);
	free(sb);
	tap_is_int(entries(), 2, "no temporary left");
	unlink(path_in("sync"));
	unlink(path_in("async"));
}

static void test_async_failure(void)
{
	struct out o;
	tap_ok(out_open_file(&o, path_in("lost")) == 0, "opened");
	o.on_error = count_error;
	out_async(&o);
	out_puts(&o, "first rows\n");
	tap_ok(out_flush(&o) == 0, "a flush that works");
	close(o.fd); /* the descriptor fails under the thread from now on */
	errors_seen = 0;
	write_mix(&o);
	int rc = out_close(&o);
	tap_ok(rc == -1 && errno == EBADF, "the close reports the thread's failure (EBADF)");
	tap_ok(errors_seen >= 1, "on_error called in the caller's thread (%d)", errors_seen);
	tap_is_int(entries(), 0, "no file and no temporary");

	struct out ab;
	tap_ok(out_open_file(&ab, path_in("aborted")) == 0, "another opened");
	out_async(&ab);
	write_mix(&ab);
	out_abort(&ab);
	tap_is_int(entries(), 0, "aborted while the thread writes: nothing left");

	struct out plain;
	tap_ok(out_open_fd(&plain, 1, "<stdout>") == 0, "a plain descriptor");
	out_async(&plain);
	tap_ok(plain.writer == NULL && plain.cap == 64 * 1024, "is not given a thread");
	out_close(&plain);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_sync_and_async();
	test_async_failure();
	rmdir(tmpdir);
	return tap_done();
}
