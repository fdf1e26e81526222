/* report_opts.c - tally-report's option values and the combinations they
 * may come in (report_run.h); every message here is a usage error. */
#include "report_run.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "money.h"

bool report_opts_currency(const char *s, size_t len)
{
	return len == 3 && currency_digits(s, 3) >= 0;
}

/* One "[CUR=]AMOUNT" of --min-payout, tok[0..len), into *m. */
static bool min_payout_one(const char *tok, size_t len, struct report_min_payout *m, char *msg, size_t cap)
{
	const char *eq = memchr(tok, '=', len), *amount = tok;
	size_t alen = len;
	if (eq) {
		if (!report_opts_currency(tok, (size_t)(eq - tok))) {
			snprintf(msg, cap, "--min-payout: \"%.*s\" is not a currency code", (int)(eq - tok), tok);
			return false;
		}
		memcpy(m->currency, tok, 3);
		amount = eq + 1;
		alen = len - (size_t)(amount - tok);
	}
	if (money_parse(amount, alen, &m->amount) != MONEY_OK || m->amount < 0) {
		snprintf(msg, cap, "--min-payout: \"%.*s\" is not an amount", (int)alen, amount);
		return false;
	}
	return true;
}

bool report_opts_min_payout(struct report_opts *o, const char *arg, char *msg, size_t cap)
{
	for (const char *tok = arg; *tok;) {
		size_t len = strcspn(tok, ",");
		struct report_min_payout m = {{0}, 0};
		if (len && !min_payout_one(tok, len, &m, msg, cap))
			return false;
		for (size_t i = 0; len && i < o->nmins; i++)
			if (memcmp(o->mins[i].currency, m.currency, sizeof m.currency) == 0) {
				snprintf(msg, cap, "--min-payout: %s given twice",
					 m.currency[0] ? m.currency : "an amount without a currency");
				return false;
			}
		if (len && o->nmins == sizeof o->mins / sizeof o->mins[0]) {
			snprintf(msg, cap, "--min-payout: too many currencies");
			return false;
		}
		if (len)
			o->mins[o->nmins++] = m;
		tok += len + (tok[len] == ',');
	}
	return true;
}

bool report_opts_issuer(struct report_opts *o, const char *arg, char *msg, size_t cap)
{
	if (!*arg) {
		snprintf(msg, cap, "--issuer: the name is empty");
		return false;
	}
	for (const unsigned char *c = (const unsigned char *)arg; *c; c++)
		if (*c < 0x20 || *c == 0x7f) {
			snprintf(msg, cap, "--issuer: the name has a control character (0x%02x): give it on one line", *c);
			return false;
		}
	o->issuer = arg;
	return true;
}

bool report_opts_issue_date(struct report_opts *o, const char *arg, char *msg, size_t cap)
{
	int64_t t;
	char day[DATE_BUF];
	if (date_parse(arg, strlen(arg), &t) < 0 || (date_format_day(day, t), strcmp(day, arg) != 0)) {
		snprintf(msg, cap, "--issue-date: \"%s\" is not a day (YYYY-MM-DD)", arg);
		return false;
	}
	snprintf(o->issue_date, sizeof o->issue_date, "%s", day);
	o->have_issue_date = true;
	return true;
}

/* The first rule of tally-report(1)'s option combinations that o breaks,
 * or NULL: the ones of the main modes. */
static const char *modes_conflict(const struct report_opts *o)
{
	if (o->check && o->summary)
		return "--check and --summary do not go together";
	if (!o->fx_path != !o->to)
		return "--fx and --to go together";
	if (o->output && o->out_dir)
		return "-o FILE writes one document, --out-dir DIR a file per payee: not both";
	if (o->summary && (o->ledger || o->out_dir || o->nmins))
		return "--summary takes no --ledger, --out-dir or --min-payout";
	if (o->check && o->out_dir)
		return "--check writes no statements: no --out-dir";
	if (!o->payouts != !o->payees || (o->payouts && (o->check || o->summary)))
		return "--payouts and --payees go together, without --check or --summary";
	if ((o->payouts & (o->payouts - 1)) && !o->out_dir)
		return "--payouts: several formats are several files: give --out-dir";
	if (o->paid && (!o->ledger || o->summary))
		return "--paid goes with --ledger: a payment is recorded against its balance";
	return NULL;
}

/* ... of --partial and --merge. */
static const char *partition_conflict(const struct report_opts *o)
{
	if (o->partial && o->merge)
		return "--partial and --merge do not go together";
	if (o->partial && (o->summary || o->ledger || o->out_dir || o->nmins || o->format))
		return "--partial writes partial sums: no --summary, --ledger, --out-dir, --min-payout or --format "
		       "(give them to --merge)";
	/* The ledger knows each row it booked by its key (LEDGER.keys), and
	 * a late or re-fed row is placed by what it is; a partial holds
	 * sums, not rows, so a merge could neither place them nor record
	 * them, and a later run would pay them again. */
	if (o->merge && o->ledger)
		return "--merge cannot settle --ledger: the ledger records each row it books and a partial holds "
		       "sums, not rows; merge without --ledger for the statements and --check, and settle the ledger "
		       "with one tally-report --ledger run over the month's allocations";
	if (o->merge && (o->summary || o->fx_path))
		return "--merge reads partial sums: no --summary, --fx or --to (give --fx and --to to --partial)";
	return NULL;
}

/* ... of the options that go with another. */
static const char *companions_conflict(const struct report_opts *o)
{
	if (o->have_opening && ((!o->ledger && !o->partial) || o->summary))
		return "--opening goes with --ledger";
	if (o->have_opening && o->have_period && o->opening.kind != o->period.kind)
		return "--opening and --period are periods of one kind";
	if (o->business && !o->summary)
		return "--business, --costs, --whatif and --forecast go with --summary";
	if (o->agreements && (o->summary || o->check || o->partial || o->merge))
		return "--agreements gives every payee a statement: no --summary, --check, --partial or --merge";
	if (o->have_balance && !o->forecast_path)
		return "--balance goes with --forecast";
	if (o->summary && (o->issuer || o->have_issue_date))
		return "--summary issues no statements: no --issuer or --issue-date";
	return NULL;
}

bool report_opts_check(struct report_opts *o, char *msg, size_t cap)
{
	const char *why = modes_conflict(o);
	if (!why)
		why = partition_conflict(o);
	if (!why)
		why = companions_conflict(o);
	if (why) {
		snprintf(msg, cap, "%s", why);
		return false;
	}
	if (o->have_opening)
		o->kind = o->opening.kind;
	if (!o->have_issue_date)
		date_format_day(o->issue_date, (int64_t)time(NULL));
	return true;
}
