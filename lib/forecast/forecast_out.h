/* forecast_out.h - what tally-forecast writes for a run read
 * (forecast_run.h): a header, then per series its forecasts with their
 * intervals (and the observed periods with --history), or with --backtest
 * one row of scores per series and a "*" row of their means; the closing
 * notes (series too short for the method, rows passed over, the
 * backtest's verdict) go through the run's NOTE callback.  Pure. */
#ifndef TALLY_FORECAST_OUT_H
#define TALLY_FORECAST_OUT_H

#include <stddef.h>

#include "forecast_run.h"
#include "tsv.h"

/* Write the run's output to W and its notes.  Plain numbers are printed
 * with run->decimals decimals, money in whole minor units of the
 * currency; a value that is not finite is an empty field.  Returns
 * FORECAST_RUN_OK, _ENOMEM, or _EDATA with "cannot forecast: REASON" in
 * err (CAP bytes) when a fit fails (rows already written stay written). */
int forecast_out_write(struct forecast_run *run, struct tsv_writer *w, char *err, size_t cap);

/* The value V for a field: with DIGITS >= 0 (money) rounded to whole
 * minor units and printed as money (tsv_put_money), else with DECIMALS
 * decimals and never as "-0.00"; "" when V is not finite. */
void forecast_out_value(struct tsv_writer *w, int digits, int decimals, double v);

/* The one note about the series that fell back to a simpler method than
 * run->method, into buf (CAP bytes).  Returns false, buf untouched, when
 * none did. */
bool forecast_out_fallback_note(const struct forecast_run *run, char *buf, size_t cap);

#endif
