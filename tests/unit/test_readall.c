/* test_readall.c - unit tests of lib/core/readall.c.
 *
 * Plan: a small file whole and NUL-ended; an empty file; a file past the
 * first 64 KiB buffer (growth, every byte kept); a pipe read to its end;
 * a missing file and a folder (errno kept, no buffer). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readall.h"
#include "tap.h"

static char dir[] = "/tmp/test_readall.XXXXXX";

static void put(const char *name, const char *text, size_t n, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(text, 1, n, f);
		fclose(f);
	}
}

/* writeall_fd: a buffer bigger than a pipe's, read back whole; a bad
 * descriptor fails with its errno. */
static void test_writeall(void)
{
	static char big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + i % 26);
	FILE *f = tmpfile();
	tap_ok(f && writeall_fd(fileno(f), big, sizeof big) == 0, "writeall_fd: 200000 bytes written");
	char *text = NULL;
	size_t len = 0;
	tap_ok(f && lseek(fileno(f), 0, SEEK_SET) == 0 && readall_fd(fileno(f), &text, &len) == 0 && len == sizeof big &&
		       memcmp(text, big, len) == 0,
	       "  and read back whole");
	free(text);
	if (f)
		fclose(f);
	errno = 0;
	tap_ok(writeall_fd(-1, big, 1) == -1 && errno == EBADF, "writeall_fd: a bad descriptor fails with EBADF");
}

int main(void)
{
	test_writeall();
	char path[300], *text = NULL;
	size_t len = 99;
	if (!mkdtemp(dir))
		return 1;
	put("a.tsv", "kind\tweight\ncode\t3\n", 19, path, sizeof path);
	tap_is_int(readall_path(path, &text, &len), 0, "small file read");
	tap_ok(len == 19 && strcmp(text, "kind\tweight\ncode\t3\n") == 0, "small file: every byte, NUL after");
	free(text);
	put("empty", "", 0, path, sizeof path);
	tap_ok(readall_path(path, &text, &len) == 0 && len == 0 && text && text[0] == '\0', "empty file: \"\"");
	free(text);
	size_t big = 200000;
	char *want = malloc(big);
	for (size_t i = 0; want && i < big; i++)
		want[i] = (char)('a' + i % 23);
	put("big", want, big, path, sizeof path);
	tap_ok(readall_path(path, &text, &len) == 0 && len == big && memcmp(text, want, big) == 0 &&
		       text[big] == '\0',
	       "past the first buffer: all %zu bytes", big);
	free(text);
	int fds[2];
	if (pipe(fds) == 0) {
		ssize_t w = write(fds[1], "log\n", 4);
		close(fds[1]);
		tap_ok(w == 4 && readall_fd(fds[0], &text, &len) == 0 && len == 4 && strcmp(text, "log\n") == 0,
		       "a pipe to its end");
		free(text);
		close(fds[0]);
	}
	snprintf(path, sizeof path, "%s/none", dir);
	errno = 0;
	tap_ok(readall_path(path, &text, &len) == -1 && errno == ENOENT && text == NULL, "missing file: ENOENT");
	errno = 0;
	tap_ok(readall_path(dir, &text, &len) == -1 && errno == EISDIR && text == NULL, "a folder: EISDIR");
	free(want);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
