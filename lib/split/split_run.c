/* split_run.c - what a run of tally-split keeps in its state file, in one
 * place: the state read and bound, each row's identity and plan (the
 * refund-date rule: a reversal goes by the agreement its sale was split
 * by), rows split before passed over or their difference split, rows
 * recorded, and the commit (allocations first, then the state with this
 * run's record).  The only caller of split_state_* besides the state's
 * own tests.  See split_run.h. */
#include "split_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "hash.h"
#include "spool.h"

#define SECONDS_PER_DAY 86400

/* Kinds whose rows a refund of the same order reverses. */
static const char *const revenue_kinds[] = {"sale", "subscription", "tip", "adjustment"};
_Static_assert(2 + sizeof revenue_kinds / sizeof *revenue_kinds == SPLIT_ROW_KEYS, "a row's identities");

/* ---- the state file ---- */

static bool is_reversal(const char *kind)
{
	return strcmp(kind, "refund") == 0 || strcmp(kind, "chargeback") == 0;
}

/* Where sorts spill and standard input is spooled. */
static const char *tmpdir(const struct split_run *run)
{
	return run->opt.tmpdir && *run->opt.tmpdir ? run->opt.tmpdir : "/tmp";
}

/* SPLIT_EFAIL with err "PATH: MESSAGE" (for a status -1: errno's). */
static int state_fail(struct split_run *run, const char *path, const char *msg)
{
	snprintf(run->err, sizeof run->err, "%s: %s", path, msg ? msg : strerror(errno));
	return SPLIT_EFAIL;
}

int split_run_lock_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	const char *path = run->opt.state ? run->opt.state : run->opt.dump ? run->opt.dump : run->opt.commit;
	if (!path || lock->fd >= 0)
		return SPLIT_OK;
	if (lock_acquire(lock, path, on_wait, ctx) < 0)
		return split_run_eopen(run, lock->path ? lock->path : path);
	return SPLIT_OK;
}

/* Whether the inputs include standard input. */
static bool reads_stdin(char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i], "-") == 0)
			return true;
	return n == 0;
}

/* Spool the named file files[i] when it is not regular. */
static int spool_named(struct split_run *run, char **files, size_t i)
{
	int fd = open(files[i], O_RDONLY | O_CLOEXEC), target;
	off_t at;
	if (fd < 0)
		return SPLIT_OK; /* the open of pass 1 says why */
	if (spool_fd(fd, tmpdir(run), &at) < 0) {
		snprintf(run->err, sizeof run->err, "%s: cannot spool it to %s: %s", files[i], tmpdir(run),
			 strerror(errno));
		close(fd);
		return SPLIT_EFAIL;
	}
	if (sscanf(files[i], "/dev/fd/%d", &target) == 1 && target != fd && dup2(fd, target) >= 0) {
		close(fd); /* /dev/fd/N (a shell's <(...)) is now the copy */
	} else if (i < SPLIT_MAX_SPOOLED) {
		snprintf(run->spooled[i], sizeof run->spooled[i], "/dev/fd/%d", fd);
		files[i] = run->spooled[i];
	} else {
		close(fd);
		snprintf(run->err, sizeof run->err, "%s: more than %d inputs are not regular files: "
			 "save it to a file first", files[i], SPLIT_MAX_SPOOLED);
		return SPLIT_EFAIL;
	}
	return SPLIT_OK;
}

int split_run_spool(struct split_run *run, char **files, size_t n)
{
	if (!run->opt.state)
		return SPLIT_OK;
	if (reads_stdin(files, n) && spool_fd(STDIN_FILENO, tmpdir(run), &run->stdin_at) < 0) {
		snprintf(run->err, sizeof run->err, "<stdin>: cannot spool it to %s: %s", tmpdir(run), strerror(errno));
		return SPLIT_EFAIL;
	}
	for (size_t i = 0; i < n; i++) {
		int st = strcmp(files[i], "-") == 0 || spool_is_regular(files[i]) ? SPLIT_OK : spool_named(run, files, i);
		if (st != SPLIT_OK)
			return st;
	}
	return SPLIT_OK;
}

int split_run_load_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	const char *path = run->opt.state;
	run->input_digest = HASH_FNV_OFFSET;
	if (!path)
		return SPLIT_OK;
	int st = split_run_lock_state(run, lock, on_wait, ctx);
	if (st != SPLIT_OK)
		return st;
	long line = 0;
	char err[512];
	st = split_state_open(&run->state, path, &line, err, sizeof err);
	if (st == -1)
		return split_run_eopen(run, path);
	if (st < 0 && line > 0) {
		snprintf(run->err, sizeof run->err, "%s:%ld: %s", path, line, err);
		return SPLIT_EFAIL;
	}
	if (st < 0 || split_state_bind(&run->state, &run->rules, err, sizeof err) < 0)
		return state_fail(run, path, err);
	run->state.hold = run->opt.hold;
	if (split_state_drop_held(path) < 0)
		return state_fail(run, path, NULL);
	if (!run->state.migrated)
		return SPLIT_OK;
	snprintf(run->err, sizeof run->err,
		 "%s: the text state %d is migrated to sorted key segments (--state-dump writes it as text)", path,
		 run->state.migrated);
	return SPLIT_NOTE;
}

/* Whether rows of kind are more of a sale's money after it, dated rows
 * of their own: an adjustment (a tax refund, a dispute won back) or a
 * fee (a chargeback fee, a refund's fee credit). */
static bool follows_sale(const char *kind)
{
	return strcmp(kind, "adjustment") == 0 || strcmp(kind, "fee") == 0;
}

/* The identities the current row asks the state for: its own (n = 1);
 * for a refund or chargeback also its key without the date (state 1) and
 * its sale's, one for each revenue kind; for a fee or adjustment its key
 * with the date and its sale's.  Returns how many. */
static size_t row_keys(const struct split_run *run, uint64_t *keys)
{
	const struct split_columns *c = &run->col;
	const char *src = split_run_field(run, c->source), *order = split_run_field(run, c->order);
	const char *line = split_run_field(run, c->line), *kind = split_run_field(run, c->kind);
	bool dated = is_reversal(kind) || follows_sale(kind);
	size_t k = 0;
	keys[k++] = split_state_key(src, order, line, kind, dated ? split_run_field(run, c->date) : NULL, 1);
	for (size_t i = 0; dated && i <= sizeof revenue_kinds / sizeof *revenue_kinds; i++)
		keys[k++] = split_state_key(src, order, line, i ? revenue_kinds[i - 1] : kind, NULL, 1);
	return k;
}

/* Pass 1 over the open input: every row's keys asked of the state. */
static int ask_keys(struct split_run *run)
{
	uint64_t row = 0, keys[SPLIT_ROW_KEYS];
	int rc;
	while ((rc = tsv_next(&run->in)) != 0) {
		row++;
		if (rc < 0 && errno)
			return state_fail(run, run->in.file, NULL);
		if (rc < 0)
			continue;
		for (size_t i = 0, k = row_keys(run, keys); i < k; i++)
			if (split_state_want(&run->state, tmpdir(run), row, keys[i]) < 0) {
				snprintf(run->err, sizeof run->err, "%s: sorting the run's keys in %s: %s", run->opt.state,
					 tmpdir(run), strerror(errno));
				return SPLIT_EFAIL;
			}
	}
	return SPLIT_OK;
}

int split_run_prescan(struct split_run *run, char *const *files, size_t n)
{
	if (!run->opt.state)
		return SPLIT_OK;
	int st = ask_keys(run);
	if (st != SPLIT_OK)
		return st;
	tsv_close(&run->in);
	if (reads_stdin(files, n) && lseek(STDIN_FILENO, run->stdin_at, SEEK_SET) < 0)
		return state_fail(run, "<stdin>", NULL);
	if (tsv_open(&run->in, files, n) != 0) {
		if (errno)
			return split_run_eopen(run, run->in.file);
		snprintf(run->err, sizeof run->err, "%s:1: %s", run->in.file, run->in.err);
		return SPLIT_EFAIL;
	}
	char err[512];
	st = split_state_prepare(&run->state, tmpdir(run), err, sizeof err);
	if (st < 0)
		return state_fail(run, run->opt.state, st == -1 ? NULL : err);
	return SPLIT_OK;
}

int split_run_state_row(struct split_run *run, int rc)
{
	if (!run->opt.state)
		return SPLIT_OK;
	if (split_state_at_row(&run->state, ++run->row_no) < 0)
		return state_fail(run, run->opt.state, NULL);
	run->nrow_keys = rc > 0 ? row_keys(run, run->row_keys) : 0;
	for (size_t i = 0; i < run->nrow_keys; i++)
		split_state_asked(&run->state, run->row_keys[i]);
	run->input_digest = split_state_digest(run->input_digest, run->in.raw, run->in.raw_len);
	return SPLIT_OK;
}

int split_run_state_check(struct split_run *run)
{
	if (run->opt.state && split_state_failed(&run->state))
		return state_fail(run, run->opt.state, run->state.failed);
	return SPLIT_OK;
}

static int save_state(struct split_run *run)
{
	char err[512];
	if (run->opt.state && split_state_commit(&run->state, &run->rules, err, sizeof err) < 0)
		return state_fail(run, run->opt.state, err);
	return SPLIT_OK;
}

/* Open the state to dump, under its lock; SPLIT_OK or a failure. */
static int open_dump(struct split_run *run, struct lock *lock,
		     void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	const char *path = run->opt.dump;
	long line = 0;
	char err[512];
	if (access(path, F_OK) < 0)
		return split_run_eopen(run, path);
	int st = split_run_lock_state(run, lock, on_wait, ctx);
	if (st != SPLIT_OK)
		return st;
	st = split_state_open(&run->state, path, &line, err, sizeof err);
	if (st == -1)
		return split_run_eopen(run, path);
	if (st < 0 && line > 0) {
		snprintf(run->err, sizeof run->err, "%s:%ld: %s", path, line, err);
		return SPLIT_EFAIL;
	}
	return st < 0 ? state_fail(run, path, err) : SPLIT_OK;
}

int split_run_dump_state(struct split_run *run, struct lock *lock,
			 void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	const char *output = run->opt.output;
	char err[512];
	int st = open_dump(run, lock, on_wait, ctx);
	if (st != SPLIT_OK)
		return st;
	if (output && out_open_file(&run->output_file, output) < 0)
		return split_run_eopen(run, output);
	run->out = output ? &run->output_file : out_stdout();
	st = split_state_dump(&run->state, run->out, err, sizeof err);
	if (st != 0) {
		if (output)
			out_abort(run->out);
		return state_fail(run, run->opt.dump, st == -2 ? err : NULL);
	}
	if (output && out_close(run->out) < 0) {
		snprintf(run->err, sizeof run->err, "%s: write error: %s", output, strerror(errno));
		return SPLIT_EFAIL;
	}
	lock_release(lock);
	return SPLIT_OK;
}

int split_run_commit_held(struct split_run *run, struct lock *lock,
			  void (*on_wait)(const char *lock_path, void *ctx), void *ctx)
{
	char err[600];
	int st = split_run_lock_state(run, lock, on_wait, ctx);
	if (st != SPLIT_OK)
		return st;
	st = split_state_commit_held(run->opt.commit, err, sizeof err);
	if (st < 0)
		return st == -2 ? (snprintf(run->err, sizeof run->err, "%s", err), SPLIT_EFAIL)
				: state_fail(run, run->opt.commit, NULL);
	lock_release(lock);
	return SPLIT_OK;
}

/* ---- the agreement of a state class ---- */

/* The agreement whose state key is key: true and *a (NULL for "", the
 * default payee), or false when the agreements file no longer has it. */
static bool agreement_by_key(const struct split_run *run, const char *key, const struct split_agreement **a)
{
	*a = NULL;
	if (!*key)
		return run->opt.default_payee != NULL;
	for (size_t i = 0; i < run->rules.n; i++)
		if (strcmp(run->rules.agreements[i].key, key) == 0) {
			*a = &run->rules.agreements[i];
			return true;
		}
	return false;
}

/* An agreement with the match of cls and the terms it had, whatever its
 * dates, or NULL. */
static const struct split_agreement *same_terms(const struct split_run *run, const struct split_state_class *cls)
{
	size_t n = strcspn(cls->agreement, "\t");
	for (size_t i = 0; i < run->rules.n; i++) {
		const struct split_agreement *a = &run->rules.agreements[i];
		if (a->terms == cls->terms && strncmp(a->key, cls->agreement, n) == 0 && a->key[n] == '\t')
			return a;
	}
	return NULL;
}

/* Room in the class cache for the state's classes; false when out of memory. */
static bool grow_cache(struct split_run *run)
{
	size_t n = run->state.nclasses + 1;
	const struct split_agreement **cache = realloc(run->cls_cache, n * sizeof *cache);
	if (cache)
		run->cls_cache = cache;
	unsigned char *found = cache ? realloc(run->cls_found, n) : NULL;
	if (!found)
		return false;
	run->cls_found = found;
	memset(run->cls_found + run->ncls_cache, 0, n - run->ncls_cache);
	run->ncls_cache = n;
	return true;
}

/* agreement_by_key for the agreement of class id (cls), looked up once a
 * class (a re-run meets every class a million times): by its match, from
 * and to, else by its match and the terms it had (an agreement ended with
 * `to` since).  1 and *a; 0 when neither is in the file (cls_found 2) or
 * the agreement was edited in place (3); SPLIT_ENOMEM. */
static int agreement_of_class(struct split_run *run, uint32_t id, const struct split_state_class *cls,
			      const struct split_agreement **a)
{
	id &= ~SPLIT_STATE_THIS_RUN;
	if (id >= run->ncls_cache && !grow_cache(run))
		return SPLIT_ENOMEM;
	if (!run->cls_found[id]) {
		const struct split_agreement *found;
		bool there = agreement_by_key(run, cls->agreement, &found);
		run->cls_found[id] = !there ? 2 : found && found->terms != cls->terms ? 3 : 1;
		if (run->cls_found[id] != 1 && *cls->agreement) {
			/* ended with `to` (or re-dated) since: the same match with the same terms */
			const struct split_agreement *same = same_terms(run, cls);
			if (same) {
				found = same;
				run->cls_found[id] = 1;
			}
		}
		run->cls_cache[id] = found;
	}
	*a = run->cls_cache[id];
	return run->cls_found[id] == 1;
}

/* Reject the row whose class c (id) names an agreement the file no longer
 * has as it was (agreement_of_class said so). */
static void reject_lost_agreement(struct split_run *run, uint32_t id, const struct split_state_class *c,
				  const char *what)
{
	char match[256];
	snprintf(match, sizeof match, "%s", c->agreement);
	char *tab = strchr(match, '\t');
	if (tab)
		*tab = '\0';
	if (run->cls_found[id & ~SPLIT_STATE_THIS_RUN] == 3)
		split_run_reject(run, "%s was split by the agreement \"%s\" (state %s) as it was before an edit in place "
				 "(payees, shares or caps differ now): put the old terms back, end them with \"to\" and start "
				 "the new ones with \"from\", so that this row goes by the split its sale had",
				 what, match, run->opt.state);
	else if (!*c->agreement)
		split_run_reject(run, "%s was split by --default-payee (state %s); give --default-payee to split this row",
				 what, run->opt.state);
	else
		split_run_reject(run, "%s was split by the agreement \"%s\" (state %s), which %s no longer has; "
				 "put it back (with its from and to) to split this row", what, match, run->opt.state,
				 run->opt.agreements);
}

/* ---- a row's identity and plan ---- */

/* Whether the reversal on the current row is the one record e split:
 * the same amount (net or gross, whichever was split).  A reversal never
 * changes: one of another amount with the same fields and date is another
 * partial refund of the line (issue 10). */
static bool same_reversal(struct split_run *run, const struct split_state_seen *e)
{
	const struct split_columns *c = &run->col;
	int64_t net, gross;
	if (e->cls == SPLIT_STATE_LEGACY)
		return true; /* no amount recorded */
	bool has_net = money_parse(split_run_field(run, c->net), split_run_field_len(run, c->net), &net) == MONEY_OK;
	bool has_gross = c->gross >= 0 &&
			 money_parse(split_run_field(run, c->gross), split_run_field_len(run, c->gross), &gross) == MONEY_OK;
	return (has_net && e->basis == net) || (has_gross && e->basis == gross) || (!has_net && !has_gross);
}

/* A fee or adjustment its dated key does not find, whose key without a
 * date (tally before 2026-12-04 keyed them so) finds old: on its own day
 * that is this row, split before, its record moved to the dated key; on
 * another day another row of the line (Etsy's "Refund to buyer for sales
 * tax" after "Sales tax paid by buyer"), new, split by that one's
 * agreement (*earlier) rather than taken for it changed (+0.96 for -0.96
 * split 1.92).  SPLIT_OK or SPLIT_ENOMEM. */
static int undated_record(struct split_run *run, struct split_state_seen *old, uint64_t old_key, int64_t own,
			  uint64_t key, struct split_state_seen **found, struct split_state_seen **earlier)
{
	if (old->cls & SPLIT_STATE_THIS_RUN)
		return SPLIT_OK;
	int64_t day = date_day(own);
	if (day != old->day) {
		*earlier = old->cls != SPLIT_STATE_LEGACY ? old : NULL;
		return SPLIT_OK;
	}
	uint32_t cls = old->cls;
	int64_t basis = old->basis;
	split_state_remove(&run->state, old_key);
	struct split_state_seen *e = split_state_put(&run->state, key, day * SECONDS_PER_DAY, cls, basis);
	if (e == NULL)
		return SPLIT_ENOMEM;
	e->cls &= ~SPLIT_STATE_THIS_RUN; /* seen, not split: split_run_seen flags it */
	*found = e;
	return SPLIT_OK;
}

/* The row's identity in *key and its record (*e, NULL when none): the nth
 * row with these fields in this run is the nth identity; a reversal passes
 * over records of other reversals of its line on its date (same_reversal),
 * unless it is read from its sale's own record (same_record: Gumroad's
 * refund columns, the refunds so far), whose later amount is a change.  A
 * reversal that only a state 1 record knows (keyed without its date) takes
 * that record over, once.  A fee or adjustment is keyed with its date too
 * (a chargeback fee and a refund's fee credit are rows of their own, as a
 * refund is); one keyed without it before is found by undated_record,
 * which also sets *earlier (else NULL).  SPLIT_OK or SPLIT_ENOMEM. */
static int row_identity(struct split_run *run, const char *kind, int64_t own, uint64_t *key,
			struct split_state_seen **found, struct split_state_seen **earlier)
{
	const struct split_columns *c = &run->col;
	const char *src = split_run_field(run, c->source), *order = split_run_field(run, c->order);
	const char *line = split_run_field(run, c->line);
	bool rev = is_reversal(kind), dated = rev || follows_sale(kind);
	struct split_state_seen *e;
	for (unsigned n = 1;; n++) {
		*key = n == 1 && run->nrow_keys > 0 ? run->row_keys[0]
		       : split_state_key(src, order, line, kind, dated ? split_run_field(run, c->date) : NULL, n);
		e = split_state_find(&run->state, *key);
		if (!e || (!(e->cls & SPLIT_STATE_THIS_RUN) && (!rev || run->same_record || same_reversal(run, e))))
			break;
	}
	*found = e;
	*earlier = NULL;
	if (e || !dated)
		return SPLIT_OK;
	uint64_t old = run->nrow_keys > 1 ? run->row_keys[1] : split_state_key(src, order, line, kind, NULL, 1);
	struct split_state_seen *legacy = split_state_find(&run->state, old);
	if (legacy && !rev)
		return undated_record(run, legacy, old, own, *key, found, earlier);
	if (!legacy || legacy->cls != SPLIT_STATE_LEGACY)
		return SPLIT_OK;
	int64_t day = (int64_t)legacy->day * SECONDS_PER_DAY;
	split_state_remove(&run->state, old);
	e = split_state_put(&run->state, *key, day, SPLIT_STATE_LEGACY, 0);
	if (e == NULL)
		return SPLIT_ENOMEM;
	e->cls &= ~SPLIT_STATE_THIS_RUN; /* seen, not split: split_run_seen flags it */
	*found = e;
	return SPLIT_OK;
}

/* The state's record of the sale a reversal reverses, or NULL. */
static struct split_state_seen *sale_record(struct split_run *run)
{
	const struct split_columns *c = &run->col;
	for (size_t i = 0; i < sizeof revenue_kinds / sizeof *revenue_kinds; i++) {
		uint64_t h = run->nrow_keys > 2 + i ? run->row_keys[2 + i]
			     : split_state_key(split_run_field(run, c->source), split_run_field(run, c->order),
					       split_run_field(run, c->line), revenue_kinds[i], NULL, 1);
		struct split_state_seen *e = split_state_find(&run->state, h);
		if (e)
			return e;
	}
	return NULL;
}

/* The plan of a reversal whose sale the state recorded with class cls. */
static int plan_by_sale(struct split_run *run, const struct split_state_seen *sale,
			const struct split_state_class *cls, struct split_plan *p)
{
	int st = agreement_of_class(run, sale->cls, cls, &p->a);
	if (st == 0)
		reject_lost_agreement(run, sale->cls, cls, "its sale");
	if (st <= 0)
		return st;
	p->by_state = p->linked = true;
	p->cls = sale->cls & ~SPLIT_STATE_THIS_RUN;
	p->when = (int64_t)sale->day * SECONDS_PER_DAY;
	p->why = SPLIT_WHY_STATE;
	return 1;
}

int split_run_plan(struct split_run *run, const char *kind, int64_t own, struct split_plan *p)
{
	memset(p, 0, sizeof *p);
	p->when = own;
	p->why = SPLIT_WHY_OWN;
	if (run->opt.state) {
		if (row_identity(run, kind, own, &p->key, &p->prev, &p->earlier) != SPLIT_OK)
			return SPLIT_ENOMEM;
		if (run->opt.force)
			p->prev = NULL;
	}
	p->reversal = is_reversal(kind);
	if (p->earlier && !p->prev) {
		const struct split_state_class *first = split_state_class_of(&run->state, p->earlier->cls);
		if (first) {
			int st = plan_by_sale(run, p->earlier, first, p);
			if (st > 0)
				p->why = SPLIT_WHY_EARLIER;
			return st;
		}
	}
	if (!p->reversal && !p->prev && run->opt.state && follows_sale(kind) && !p->earlier) {
		/* the first such row of a sale split in an earlier run (Stripe's
		 * dispute won back, PayPal's chargeback fee): the sale's agreement,
		 * not a match of its own product ("Chargeback Fee") */
		struct split_state_seen *sale = sale_record(run);
		const struct split_state_class *cls = sale && !(sale->cls & SPLIT_STATE_THIS_RUN)
							      ? split_state_class_of(&run->state, sale->cls)
							      : NULL;
		return cls ? plan_by_sale(run, sale, cls, p) : 1;
	}
	if (!p->reversal || p->prev)
		return 1;
	struct split_state_seen *sale = run->opt.state ? sale_record(run) : NULL;
	const struct split_state_class *cls = sale ? split_state_class_of(&run->state, sale->cls) : NULL;
	if (cls)
		return plan_by_sale(run, sale, cls, p);
	if (split_run_field_len(run, run->col.sale_date) > 0) {
		p->why = SPLIT_WHY_SALE_DATE;
		p->linked = true;
		return split_run_time(run, run->col.sale_date, "sale_date", &p->when);
	}
	if (sale) { /* a state 1 record: the day, not the agreement */
		p->when = (int64_t)sale->day * SECONDS_PER_DAY;
		p->why = SPLIT_WHY_STATE;
		return 1;
	}
	p->why = "its own date (no sale_date, and the order is not in the state)";
	return 1;
}

/* ---- rows split, and split before ---- */

int split_run_record(struct split_run *run, const struct split_plan *p, const struct split_agreement *a,
		     int64_t basis)
{
	run->rows_split++;
	if (!run->opt.state)
		return SPLIT_OK;
	const struct split_columns *c = &run->col;
	uint32_t cls = p->by_state ? p->cls
			: split_state_class(&run->state, a ? a->key : "", a ? a->terms : 0,
					    split_run_field(run, c->product), split_run_field(run, c->sku), run->currency);
	int64_t day0 = p->when - ((p->when % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY;
	if (!cls || !split_state_put(&run->state, p->key, day0, cls, basis))
		return SPLIT_ENOMEM;
	return SPLIT_OK;
}

/* Split the difference delta of the row split before (record e, basis
 * now basis) by agreement a (NULL: the default payee) on its day; 1, 0
 * when rejected, or a failure. */
static int split_difference(struct split_run *run, struct split_plan *p, const struct split_agreement *a,
			    int64_t delta, int digits)
{
	const struct split_columns *c = &run->col;
	/* the output row says what was split: the difference, in the basis
	 * column and in the other of gross and net, so that a statement's
	 * steps add up to it (a Gumroad refund grown from 10.00 to 25.00 is
	 * gross -15.00, not -25.00 with a fee of 10.00 made up; what changed
	 * of the fee is not known, and the fee was shown when first split) */
	run->delta_col = a && a->gross ? c->gross : c->net;
	run->delta_len = money_format(run->delta_text, delta, digits);
	run->delta_col2 = a && a->gross ? c->net : c->gross;
	struct split_row row = {split_run_field(run, c->source), split_run_field(run, c->product),
				split_run_field(run, c->sku), split_run_field(run, c->kind), p->when};
	int st = 1;
	if (a)
		st = split_write_by(run, a, &row, delta, digits, p->why);
	else
		split_write_default(run, p->when, p->why, digits, "the default payee split it before", delta);
	run->delta_col = run->delta_col2 = -1;
	return st;
}

int split_run_seen(struct split_run *run, struct split_plan *p, int digits)
{
	struct split_state_seen *e = p->prev;
	uint32_t id = e->cls & ~SPLIT_STATE_THIS_RUN;
	const struct split_state_class *cls = split_state_class_of(&run->state, id);
	char q[96], was[MONEY_BUF];
	if (!cls || strcmp(cls->currency, run->currency) != 0) {
		if (cls)
			split_run_reject(run, "column \"currency\": %s, but the row was split in %s before (state %s)",
					 split_run_quote(run, run->col.currency, q, sizeof q), cls->currency, run->opt.state);
		else { /* a state 1 record: seen, amount unknown */
			e->cls |= SPLIT_STATE_THIS_RUN;
			run->rows_seen++;
		}
		return SPLIT_OK;
	}
	const struct split_agreement *a;
	int st = agreement_of_class(run, id, cls, &a);
	if (st == 0)
		reject_lost_agreement(run, id, cls, "the row");
	int64_t basis, delta;
	if (st <= 0 || !split_run_basis(run, a && a->gross, &basis))
		return st < 0 ? st : SPLIT_OK;
	if (basis == e->basis) {
		e->cls |= SPLIT_STATE_THIS_RUN;
		run->rows_seen++;
		return SPLIT_OK;
	}
	if (__builtin_sub_overflow(basis, e->basis, &delta)) {
		split_run_reject(run, "column \"%s\": %s is too large to split", a && a->gross ? "gross" : "net",
				 split_run_quote(run, a && a->gross ? run->col.gross : run->col.net, q, sizeof q));
		return SPLIT_OK;
	}
	p->a = a;
	p->by_state = true;
	p->cls = id;
	p->when = (int64_t)e->day * SECONDS_PER_DAY;
	p->why = SPLIT_WHY_CHANGED;
	st = split_difference(run, p, a, delta, digits);
	if (st <= 0)
		return st;
	money_format(was, e->basis, digits);
	if (run->explaining)
		out_printf(&run->explain, "  changed since it was split (as %s): the difference is split\n", was);
	run->rows_changed++;
	return split_run_record(run, p, a, basis);
}

/* ---- the commit ---- */

/* Read from fd into buf until it holds cap bytes or the file ends; the
 * bytes read, or -1 (errno set). */
static ssize_t read_full(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	return (ssize_t)n;
}

/* The digest of the file at path (as split_state_digest, 64 KiB at a
 * step): 0 and *d, 1 when it does not exist, SPLIT_EFAIL when it cannot
 * be read. */
static int file_digest(struct split_run *run, const char *path, uint64_t *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	static char buf[65536];
	uint64_t h = HASH_FNV_OFFSET;
	ssize_t n = fd < 0 ? -1 : 0;
	while (fd >= 0) {
		/* full blocks, so the digest does not depend on read sizes */
		n = read_full(fd, buf, sizeof buf);
		if (n > 0)
			h = split_state_digest(h, buf, (size_t)n);
		if (n < (ssize_t)sizeof buf)
			break;
	}
	if (n < 0)
		snprintf(run->err, sizeof run->err, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	*d = h ? h : 1;
	return n < 0 ? SPLIT_EFAIL : 0;
}

/* "FILE: write error: REASON" for the -o file. */
static int write_error(struct split_run *run)
{
	snprintf(run->err, sizeof run->err, "%s: write error: %s", run->opt.output, strerror(errno));
	return SPLIT_EFAIL;
}

/* Commit the allocations: flush stdout, or rename the -o file into place;
 * then the state, with this run's record. */
static int commit_output(struct split_run *run)
{
	uint64_t digest = 0;
	if (!run->opt.output) {
		out_flush(run->out);
	} else {
		/* a held run's allocations are void with it: keep what they replace */
		if (run->opt.state && run->opt.hold && split_state_hold_output(run->opt.state, run->opt.output) < 0) {
			snprintf(run->err, sizeof run->err, "%s: keeping it while the run is held: %s", run->opt.output,
				 strerror(errno));
			out_abort(run->out);
			return SPLIT_EFAIL;
		}
		if (out_close(run->out) < 0)
			return write_error(run);
		int st = run->opt.state ? file_digest(run, run->opt.output, &digest) : 0;
		if (st < 0)
			return st;
		if (st > 0) {
			snprintf(run->err, sizeof run->err, "%s: gone after it was written", run->opt.output);
			return SPLIT_EFAIL;
		}
	}
	if (run->opt.state && split_state_add_run(&run->state, run->input_digest, digest) < 0)
		return SPLIT_ENOMEM;
	/* The allocations are committed before the state says they were split. */
	return save_state(run);
}

/* A re-run that brings nothing new (every row split already, unchanged)
 * changes nothing: the state is left as it was, and so is the -o file
 * when a run of this state wrote it — of this same input, or of one that
 * differs only where no money is (a re-downloaded export whose tax or
 * buyer's address was corrected): its rows are split once either way. */
static int commit_nothing_new(struct split_run *run)
{
	uint64_t digest;
	const char *output = run->opt.output;
	if (!output) {
		out_flush(run->out);
		return SPLIT_OK;
	}
	int st = file_digest(run, output, &digest);
	if (st < 0)
		return st;
	if (st == 0) {
		out_abort(run->out);
		if (split_state_ran(&run->state, run->input_digest, digest))
			snprintf(run->err, sizeof run->err, "%s is left as it was: the run that split this input wrote it",
				 output);
		else if (split_state_wrote(&run->state, digest))
			snprintf(run->err, sizeof run->err, "%s is left as it was: an earlier run of this state wrote it, "
				 "and every row of this input was split already with the same amounts", output);
		else {
			snprintf(run->err, sizeof run->err, "every row was split already (state %s), but %s is not the file "
				 "the run that split them wrote: it and the state are left as they were; --force splits the "
				 "rows again and pays them twice", run->opt.state, output);
			return SPLIT_EFAIL;
		}
		return SPLIT_NOTE;
	}
	if (out_close(run->out) < 0)
		return write_error(run);
	snprintf(run->err, sizeof run->err, "%s has the header only: every row was split by an earlier run", output);
	return SPLIT_NOTE;
}

int split_run_commit(struct split_run *run)
{
	if (run->opt.state && run->rows_split == 0 && run->rows_seen > 0)
		return commit_nothing_new(run);
	return commit_output(run);
}
