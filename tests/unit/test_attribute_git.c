/* test_attribute_git.c - unit tests of running git for tally-attribute
 * --git (lib/attribute/attribute_git.c).
 *
 * Plan: a program's output captured, with stdin from a file; one that
 * exits 3, one killed, one that is not there (the two lines a failed exec
 * gives), the --format argument cut in the message; in a repository made
 * here: its name, its log, and co-authors mapped by its .mailmap (a
 * contact not asked left as written); a directory that is no repository. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attribute_git.h"
#include "attribute_read.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_attribute_git.XXXXXX";

static void test_capture(void)
{
	char err[ATTR_ERR], *out, path[300];
	size_t len;
	char *echo[] = {"sh", "-c", "printf 'a\\nb'; cat", NULL};
	snprintf(path, sizeof path, "%s/in", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("from stdin", f);
	fclose(f);
	tap_is_int(attr_capture(echo, path, &out, &len, err), ATTR_OK, "output captured");
	tap_ok(len == 13 && memcmp(out, "a\nbfrom stdin", 13) == 0, "... with stdin from the file");
	free(out);
	tap_is_int(attr_capture(echo, NULL, &out, &len, err), ATTR_OK, "stdin /dev/null by default");
	tap_ok(len == 3, "... nothing read from it");
	free(out);

	char *three[] = {"sh", "-c", "exit 3", "--format=%H", NULL};
	tap_is_int(attr_capture(three, NULL, &out, &len, err), ATTR_EFAILED, "a program that fails");
	tap_is_str(err, "'sh -c exit 3 --format=...' failed (status 3)", "... told, the format cut");
	tap_ok(out == NULL, "... no output kept");
	char *killed[] = {"sh", "-c", "kill -9 $$", NULL};
	attr_capture(killed, NULL, &out, &len, err);
	tap_is_str(err, "'sh -c kill -9 $$' failed (signal 9)", "a program killed");
	char *none[] = {"tally-no-such-program", NULL};
	tap_is_int(attr_capture(none, NULL, &out, &len, err), ATTR_EFAILED, "a program that is not there");
	tap_is_str(err, "tally-no-such-program: No such file or directory\n'tally-no-such-program' failed (status 127)",
		   "... told as a failed exec");
}

/* Run the shell command CMD in the repository folder. */
static int sh(const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof line, "cd %s/my-repo && { %s; } >/dev/null 2>&1", tmpdir, cmd);
	return system(line);
}

static void test_repo(void)
{
	char dir[300], err[ATTR_ERR], *name = NULL, *log;
	size_t len;
	snprintf(dir, sizeof dir, "%s/my-repo", tmpdir);
	tap_is_int(attr_git_repo_name(tmpdir, &name, err), ATTR_EFAILED, "no repository");
	tap_ok(strstr(err, "rev-parse --show-toplevel' failed (status 128)") != NULL, "... git's status told");
	if (mkdir(dir, 0700) != 0 || sh("git init -q . && printf x >f && git add f && "
				       "git -c user.name=Ann -c user.email=ann@x commit -qm 'one\n\n"
				       "Co-authored-by: Bo <bo@old>\nCo-authored-by: Cy <cy@x>\nCo-authored-by: plain'") != 0 ||
	    sh("printf 'Bo Real <bo@new> <bo@old>\\n' >.mailmap") != 0) {
		tap_ok(0, "a repository made (git missing?)");
		return;
	}
	tap_is_int(attr_git_repo_name(dir, &name, err), ATTR_OK, "the repository's name");
	tap_is_str(name, "my-repo", "... its top folder's");
	free(name);
	tap_is_int(attr_git_log(dir, true, &log, &len, err), ATTR_OK, "its log");
	tap_ok(len > 0 && log[0] == 0x1e && memmem(log, len, "Ann\tann@x", 9) != NULL, "... in the format read");

	struct attr_mailmap m;
	tap_is_int(attr_mailmap_resolve(&m, dir, log, len, err), ATTR_OK, "co-authors resolved");
	const char *out;
	size_t outlen;
	attr_mailmap_map(&m, "Bo <bo@old>", 11, &out, &outlen);
	tap_ok(outlen == 16 && memcmp(out, "Bo Real <bo@new>", 16) == 0, "... by .mailmap: %.*s", (int)outlen, out);
	attr_mailmap_map(&m, "Cy <cy@x>", 9, &out, &outlen);
	tap_ok(outlen == 9 && memcmp(out, "Cy <cy@x>", 9) == 0, "... one it does not map as it is");
	attr_mailmap_map(&m, "plain", 5, &out, &outlen);
	tap_ok(outlen == 5 && memcmp(out, "plain", 5) == 0 && m.in.n == 2, "... one not a contact never asked");
	attr_mailmap_free(&m);
	free(log);

	tap_is_int(attr_mailmap_resolve(&m, dir, "", 0, err), ATTR_OK, "no co-authors: git not asked");
	attr_mailmap_map(&m, "Bo <bo@old>", 11, &out, &outlen);
	tap_ok(out[0] == 'B' && outlen == 11, "... contacts as written");
	attr_mailmap_free(&m);
}

int main(void)
{
	if (!mkdtemp(tmpdir) || !freopen("/dev/null", "w", stderr)) /* git's own complaints */
		return 1;
	test_capture();
	test_repo();
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
