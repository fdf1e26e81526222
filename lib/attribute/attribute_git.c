/* attribute_git.c - git run for tally-attribute --git: the log, the
 * repository's name, co-authors through .mailmap (attribute_git.h). */
#include "attribute_git.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attribute_read.h"

extern char **environ;

static int fail(int st, char *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(int st, char *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, ATTR_ERR, fmt, ap);
	va_end(ap);
	return st;
}

/* "'git -C DIR log --format=...' failed (status 128)" into err. */
static int failed(char *const *argv, int status, const char *why, char *err)
{
	char cmd[1024] = "";
	for (size_t i = 0; argv[i] && strlen(cmd) + strlen(argv[i]) + 2 < sizeof cmd; i++) {
		if (i)
			strcat(cmd, " ");
		strcat(cmd, strncmp(argv[i], "--format=", 9) == 0 ? "--format=..." : argv[i]);
	}
	if (why)
		return fail(ATTR_EFAILED, err, "%s: %s\n'%s' failed (status 127)", argv[0], why, cmd);
	return fail(ATTR_EFAILED, err, "'%s' failed (%s %d)", cmd, WIFEXITED(status) ? "status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* Start ARGV with stdin from IN_PATH and stdout into the pipe FDS. */
static int spawn(char *const *argv, const char *in_path, const int fds[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int e = posix_spawn_file_actions_init(&fa);
	if (e)
		return e;
	e = posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (!e)
		e = posix_spawn_file_actions_addclose(&fa, fds[0]);
	if (!e)
		e = posix_spawn_file_actions_addclose(&fa, fds[1]);
	if (!e)
		e = posix_spawnp(pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return e;
}

/* All of FD into *out; false when out of memory. */
static bool drain(int fd, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	bool ok = buf != NULL;
	for (ssize_t got; ok;) {
		if (n == cap) {
			char *more = realloc(buf, cap *= 2);
			if (!(ok = more != NULL))
				break;
			buf = more;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	*out = buf;
	*len = n;
	return ok;
}

int attr_capture(char *const *argv, const char *in_path, char **out, size_t *len, char *err)
{
	int fds[2];
	pid_t pid;
	*out = NULL;
	if (pipe(fds) < 0)
		return fail(ATTR_EDATA, err, "pipe: %s", strerror(errno));
	int e = spawn(argv, in_path, fds, &pid);
	close(fds[1]);
	if (e) {
		close(fds[0]);
		return failed(argv, 0, strerror(e), err);
	}
	bool ok = drain(fds[0], out, len);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(*out);
		*out = NULL;
		return ok ? failed(argv, status, NULL, err) : ATTR_ENOMEM;
	}
	return ATTR_OK;
}

int attr_git_log(const char *dir, bool lines, char **log, size_t *len, char *err)
{
	char *argv[] = {"git", "-C", (char *)dir, "-c", "log.showSignature=false", "log", "--no-merges",
			"--no-color", ATTR_GIT_FORMAT, lines ? "--numstat" : NULL, NULL};
	return attr_capture(argv, NULL, log, len, err);
}

int attr_git_repo_name(const char *dir, char **name, char *err)
{
	char *argv[] = {"git", "-C", (char *)dir, "rev-parse", "--show-toplevel", NULL};
	size_t n;
	char *top;
	int st = attr_capture(argv, NULL, &top, &n, err);
	if (st != ATTR_OK)
		return st;
	while (n > 0 && (top[n - 1] == '\n' || top[n - 1] == '/'))
		n--;
	top[n] = '\0';
	const char *slash = strrchr(top, '/');
	*name = strdup(slash ? slash + 1 : top);
	free(top);
	return *name ? ATTR_OK : ATTR_ENOMEM;
}

/* The contacts to ask git check-mailmap about, one a line. */
struct asked {
	struct attr_mailmap *m;
	FILE *tmp;   /* the lines, for git check-mailmap --stdin */
	bool nomem;  /* a contact could not be kept */
};

static void collect_coauthor(void *ctx, const char *s, size_t n)
{
	struct asked *a = ctx;
	uint32_t id, before = a->m->in.n;
	/* check-mailmap takes only "Name <email>": others stay as written. */
	if (n < 3 || s[n - 1] != '>' || !memchr(s, '<', n) || memchr(s, '\n', n))
		return;
	if (names_intern(&a->m->in, s, n, &id) < 0)
		a->nomem = true;
	else if (id >= before)
		fwrite(s, 1, n, a->tmp), fputc('\n', a->tmp);
}

/* m->out from git's answer TEXT[0..n), a line per contact asked. */
static int take_answer(struct attr_mailmap *m, const char *text, size_t n, char *err)
{
	const char *p = text, *end = text + n;
	m->out = calloc(m->in.n, sizeof *m->out);
	m->out_len = calloc(m->in.n, sizeof *m->out_len);
	if (!m->out || !m->out_len)
		return ATTR_ENOMEM;
	for (uint32_t i = 0; i < m->in.n; i++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!nl)
			return fail(ATTR_EDATA, err, "git check-mailmap gave %u contacts for %u", i, m->in.n);
		if (!(m->out[i] = strndup(p, l)))
			return ATTR_ENOMEM;
		m->out_len[i] = l;
		p += l + 1;
	}
	return ATTR_OK;
}

/* Ask git check-mailmap about the contacts listed in the file PATH. */
static int ask_git(struct attr_mailmap *m, const char *dir, const char *path, char *err)
{
	char *argv[] = {"git", "-C", (char *)dir, "check-mailmap", "--stdin", NULL};
	size_t n;
	char *text;
	int st = attr_capture(argv, path, &text, &n, err);
	if (st == ATTR_OK)
		st = take_answer(m, text, n, err);
	free(text);
	return st;
}

int attr_mailmap_resolve(struct attr_mailmap *m, const char *dir, const char *log, size_t len, char *err)
{
	char path[] = "/tmp/tally-attribute.XXXXXX";
	struct asked a = {.m = m};
	memset(m, 0, sizeof *m);
	int fd = mkstemp(path);
	if (fd < 0 || !(a.tmp = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0)
			close(fd), unlink(path);
		return fail(ATTR_EDATA, err, "%s: %s", path, strerror(e));
	}
	attr_git_coauthors(log, len, collect_coauthor, &a);
	int st = ATTR_OK;
	if (fclose(a.tmp) != 0)
		st = fail(ATTR_EDATA, err, "%s: %s", path, strerror(errno));
	else if (a.nomem)
		st = ATTR_ENOMEM;
	else if (m->in.n > 0)
		st = ask_git(m, dir, path, err);
	unlink(path);
	return st;
}

void attr_mailmap_map(void *ctx, const char *s, size_t n, const char **out, size_t *outlen)
{
	const struct attr_mailmap *m = ctx;
	long id = names_find(&m->in, s, n);
	*out = id >= 0 && m->out ? m->out[id] : s;
	*outlen = id >= 0 && m->out ? m->out_len[id] : n;
}

void attr_mailmap_free(struct attr_mailmap *m)
{
	for (uint32_t i = 0; m->out && i < m->in.n; i++)
		free(m->out[i]);
	free(m->out);
	free(m->out_len);
	names_free(&m->in);
	memset(m, 0, sizeof *m);
}
