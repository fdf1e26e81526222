/* attribute_shapley.c - the closed-form Shapley value of a touch-path game
 * and the path text splitter (attribute_shapley.h). */
#include "attribute_shapley.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const char *attr_shapley_strerror(int status)
{
	switch (status) {
	case ATTR_SHAPLEY_OK: return "success";
	case ATTR_SHAPLEY_EPATH: return "a path has no touches";
	case ATTR_SHAPLEY_EPLAYER: return "a path touches an unknown player";
	case ATTR_SHAPLEY_EVALUE: return "conversions, nulls or value negative or not a finite number";
	case ATTR_SHAPLEY_ENOMEM: return "out of memory";
	}
	return "unknown status";
}

static bool count_ok(double x)
{
	return isfinite(x) && x >= 0;
}

/* One term of a player's sum: a path's value and conversions over its
 * number of distinct touches. */
struct term {
	uint32_t player;
	double value, conv;
};

static int cmp_term(const void *a, const void *b)
{
	const struct term *x = a, *y = b;
	if (x->player != y->player)
		return x->player < y->player ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->conv > y->conv) - (x->conv < y->conv);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Sort t[0..n) and drop repeats; returns the count of distinct touches. */
static size_t distinct(uint32_t *t, size_t n)
{
	qsort(t, n, sizeof *t, cmp_u32);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || t[i] != t[k - 1])
			t[k++] = t[i];
	return k;
}

int attr_paths_check(const struct attr_path *p, size_t np, size_t nplayers, size_t *total, size_t *bad)
{
	*total = 0;
	for (size_t i = 0; i < np; i++) {
		int rc = ATTR_SHAPLEY_OK;
		if (p[i].ntouch == 0)
			rc = ATTR_SHAPLEY_EPATH;
		for (size_t j = 0; rc == ATTR_SHAPLEY_OK && j < p[i].ntouch; j++)
			if (p[i].touch[j] >= nplayers)
				rc = ATTR_SHAPLEY_EPLAYER;
		if (rc == ATTR_SHAPLEY_OK &&
		    !(count_ok(p[i].conversions) && count_ok(p[i].nulls) && count_ok(p[i].value)))
			rc = ATTR_SHAPLEY_EVALUE;
		if (rc != ATTR_SHAPLEY_OK) {
			if (bad)
				*bad = i;
			return rc;
		}
		if (__builtin_add_overflow(*total, p[i].ntouch, total))
			return ATTR_SHAPLEY_ENOMEM;
	}
	return ATTR_SHAPLEY_OK;
}

int attr_shapley(const struct attr_path *paths, size_t npaths, size_t nplayers, double *phi_value,
		 double *phi_conv, size_t *bad)
{
	size_t total;
	int rc = attr_paths_check(paths, npaths, nplayers, &total, bad);
	if (rc != ATTR_SHAPLEY_OK)
		return rc;
	struct term *t = malloc((total ? total : 1) * sizeof *t);
	uint32_t *buf = malloc((total ? total : 1) * sizeof *buf);
	if (!t || !buf) {
		free(t);
		free(buf);
		return ATTR_SHAPLEY_ENOMEM;
	}
	size_t nt = 0;
	for (size_t i = 0; i < npaths; i++) {
		memcpy(buf, paths[i].touch, paths[i].ntouch * sizeof *buf);
		size_t k = distinct(buf, paths[i].ntouch);
		for (size_t j = 0; j < k; j++)
			t[nt++] = (struct term){buf[j], paths[i].value / (double)k, paths[i].conversions / (double)k};
	}
	if (nt)
		qsort(t, nt, sizeof *t, cmp_term);
	for (size_t i = 0; i < nplayers; i++) {
		phi_value[i] = 0;
		if (phi_conv)
			phi_conv[i] = 0;
	}
	for (size_t i = 0; i < nt; i++) {
		phi_value[t[i].player] += t[i].value;
		if (phi_conv)
			phi_conv[t[i].player] += t[i].conv;
	}
	free(t);
	free(buf);
	return ATTR_SHAPLEY_OK;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Is p .. end blank? */
static bool rest_blank(const char *p, const char *end)
{
	while (p < end && blank(*p))
		p++;
	return p == end;
}

int attr_path_next(const char **s, const char *end, const char **tok, size_t *toklen)
{
	const char *p = *s;
	while (p < end && blank(*p))
		p++;
	if (p == end) {
		*s = p;
		return 0;
	}
	const char *start = p;
	while (p < end && *p != '>')
		p++;
	const char *last = p;
	while (last > start && blank(last[-1]))
		last--;
	if (last == start) { /* "> a", "a > > b" */
		*s = start;
		return -1;
	}
	if (p < end && rest_blank(p + 1, end)) { /* "a >" */
		*s = p + 1;
		return -1;
	}
	*tok = start;
	*toklen = (size_t)(last - start);
	*s = p < end ? p + 1 : p;
	return 1;
}
