/* paths.c - two command-line paths naming one file (see paths.h). */
#include "paths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What a path names: an existing file's device and inode, or, for a path
 * not there yet, the absolute path it would be created at. */
struct identity {
	bool skip;    /* not given, "-", or an existing non-regular file */
	bool exists;  /* dev/ino are set */
	dev_t dev;
	ino_t ino;
	char *where;  /* absolute path of a file not there yet (owned), or NULL */
};

/* "DIR/BASE" with DIR resolved by realpath; NULL when DIR cannot be. */
static char *future_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char dir[PATH_MAX];
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	char *real = realpath(dir, NULL);
	if (!real)
		return NULL;
	size_t n = strlen(real) + strlen(base) + 2;
	char *full = malloc(n);
	if (full)
		snprintf(full, n, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
	free(real);
	return full;
}

static void identify(const char *path, struct identity *id)
{
	struct stat st;
	memset(id, 0, sizeof *id);
	if (!path || strcmp(path, "-") == 0) {
		id->skip = true;
	} else if (stat(path, &st) == 0) {
		id->skip = !S_ISREG(st.st_mode);
		id->exists = true;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
	} else {
		id->where = future_path(path);
		id->skip = !id->where; /* its folder is missing: opening it fails anyway */
	}
}

static bool same(const struct identity *x, const struct identity *y)
{
	if (x->skip || y->skip || x->exists != y->exists)
		return false;
	if (x->exists)
		return x->dev == y->dev && x->ino == y->ino;
	return strcmp(x->where, y->where) == 0;
}

bool paths_find_clash(const struct paths_role *p, size_t n, size_t *a, size_t *b)
{
	struct identity *ids = calloc(n ? n : 1, sizeof *ids);
	bool found = false;
	if (!ids)
		return false; /* out of memory: the opens that follow will say so */
	for (size_t i = 0; i < n; i++)
		identify(p[i].path, &ids[i]);
	for (size_t i = 0; i < n && !found; i++)
		for (size_t j = i + 1; j < n && !found; j++)
			if (!(p[i].input && p[j].input) && same(&ids[i], &ids[j])) {
				*a = i;
				*b = j;
				found = true;
			}
	for (size_t i = 0; i < n; i++)
		free(ids[i].where);
	free(ids);
	return found;
}

bool paths_check(const struct paths_role *p, size_t n, char *const *inputs, size_t ninputs,
		 char *msg, size_t cap)
{
	struct paths_role *all = malloc((n + ninputs + 1) * sizeof *all);
	size_t a, b;
	bool clash;
	if (!all)
		return false;
	memcpy(all, p, n * sizeof *p);
	for (size_t i = 0; i < ninputs; i++)
		all[n + i] = (struct paths_role){inputs[i], "input", true};
	clash = paths_find_clash(all, n + ninputs, &a, &b);
	if (clash)
		snprintf(msg, cap, "%s and %s name the same file: %s", all[a].what, all[b].what,
			 all[b].path);
	free(all);
	return clash;
}
