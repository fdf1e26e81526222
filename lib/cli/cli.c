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

/* The search for the name nearest to a typed word, one candidate at a
 * time (cli_nearest_option, cli_nearest_word). */
struct nearest {
	const char *word; /* what was typed */
	int n;            /* its length */
	int limit;        /* the largest distance still near */
	const char *best; /* the nearest so far (the first of a tie) */
	int best_d;       /* its distance */
	const char *prefixed; /* a candidate the word is a prefix of */
	int nprefixed;        /* how many such */
	bool exact;           /* a candidate is the word itself */
};

static void nearest_init(struct nearest *s, const char *word, int n)
{
	*s = (struct nearest){.word = word, .n = n, .limit = n <= 4 ? 1 : 2};
	s->best_d = s->limit + 1;
}

static void nearest_consider(struct nearest *s, const char *name)
{
	int len = (int)strlen(name);
	if (len == s->n && strncmp(name, s->word, (size_t)s->n) == 0)
		s->exact = true;
	if (s->n < len && strncmp(name, s->word, (size_t)s->n) == 0)
		s->prefixed = name, s->nprefixed++;
	int d = cli_edit_distance(s->word, s->n, name, len, s->limit);
	if (d < s->best_d)
		s->best = name, s->best_d = d;
}

static const char *nearest_result(const struct nearest *s)
{
	if (s->exact)
		return NULL;
	if (s->best)
		return s->best;
	return s->nprefixed == 1 ? s->prefixed : NULL;
}

const char *cli_nearest_option(const char *arg, const struct option *longopts)
{
	if (!arg || strncmp(arg, "--", 2) != 0 || !arg[2])
		return NULL;
	struct nearest s;
	nearest_init(&s, arg + 2, (int)strcspn(arg + 2, "="));
	for (const struct option *o = longopts; o->name; o++)
		nearest_consider(&s, o->name); /* an exact one: refused for its argument */
	return nearest_result(&s);
}

const char *cli_nearest_word(const char *word, const char *const *names, size_t count)
{
	if (!word || !*word)
		return NULL;
	struct nearest s;
	nearest_init(&s, word, (int)strlen(word));
	for (size_t i = 0; i < count; i++)
		nearest_consider(&s, names[i]);
	return nearest_result(&s);
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
