/* cli.c - the shared command-line layer, its pure part: the nearest long
 * option to a typo.  What prints or exits is in cmdsupport.c. */
#include "cli.h"

#include <stdio.h>
#include <string.h>


#define NAME_MAX_LEN 64

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;
	return m < c ? m : c;
}

int cli_edit_distance(const char *a, int na, const char *b, int nb, int limit)
{
	/* three rolling rows of the optimal-string-alignment table */
	int rows[3][NAME_MAX_LEN + 1];
	if (na > NAME_MAX_LEN || nb > NAME_MAX_LEN)
		return limit + 1;
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	for (int j = 0; j <= nb; j++)
		prev[j] = j;
	for (int i = 1; i <= na; i++) {
		int best = cur[0] = i;
		for (int j = 1; j <= nb; j++) {
			int cost = a[i - 1] != b[j - 1];
			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > limit)
			return limit + 1;
		int *t = prev2;
		prev2 = prev, prev = cur, cur = t;
	}
	return prev[nb] <= limit ? prev[nb] : limit + 1;
}

const char *cli_nearest_option(const char *arg, const struct option *longopts)
{
	if (!arg || strncmp(arg, "--", 2) != 0 || !arg[2])
		return NULL;
	const char *name = arg + 2;
	int n = (int)strcspn(name, "=");
	int limit = n <= 4 ? 1 : 2;
	const char *best = NULL, *prefixed = NULL;
	int best_d = limit + 1, nprefixed = 0;
	for (const struct option *o = longopts; o->name; o++) {
		int len = (int)strlen(o->name);
		if (len == n && strncmp(o->name, name, (size_t)n) == 0)
			return NULL; /* refused for its argument, not its name */
		if (n < len && strncmp(o->name, name, (size_t)n) == 0)
			prefixed = o->name, nprefixed++;
		int d = cli_edit_distance(name, n, o->name, len, limit);
		if (d < best_d)
			best = o->name, best_d = d;
	}
	if (best)
		return best;
	return nprefixed == 1 ? prefixed : NULL;
}

const char *cli_moved_option(int letter, const char *const *moved)
{
	if (letter <= 0 || !moved)
		return NULL;
	for (; *moved; moved++)
		if ((unsigned char)(*moved)[0] == letter)
			return *moved + 1;
	return NULL;
}

/* The long option of getopt value C that takes a value, or NULL. */
static const struct option *taking_value(int c, const struct option *longopts)
{
	for (const struct option *o = longopts; o->name; o++)
		if (o->val == c && !o->flag)
			return o->has_arg == required_argument ? o : NULL;
	return NULL;
}

const char *cli_repeated(struct cli_seen *seen, int c, const struct option *longopts, const int *many)
{
	const struct option *o = taking_value(c, longopts);
	if (!o)
		return NULL;
	for (const int *m = many; m && *m; m++)
		if (*m == c)
			return NULL;
	for (size_t i = 0; i < seen->n; i++)
		if (seen->val[i] == c)
			return o->name;
	if (seen->n < sizeof seen->val / sizeof seen->val[0])
		seen->val[seen->n++] = c;
	return NULL;
}
