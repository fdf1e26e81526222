/* ingest_formats_more.h - the built-in formats of ingest_formats_more.c,
 * registered in the ingest_formats[] table by INGEST_FORMATS_MORE. */
#ifndef TALLY_INGEST_FORMATS_MORE_H
#define TALLY_INGEST_FORMATS_MORE_H

extern const char ingest_fmt_paypal_de[], ingest_fmt_paypal_fr[], ingest_fmt_paypal_fr_statement[],
	ingest_fmt_paypal_es[], ingest_fmt_paypal_es_statement[], ingest_fmt_paypal_statement[],
	ingest_fmt_tunecore[], ingest_fmt_cdbaby[], ingest_fmt_steam[], ingest_fmt_youtube[],
	ingest_fmt_kdp[], ingest_fmt_shopify_sales[], ingest_fmt_soundcloud[];

/* Table entries, after the formats they must lose a tie to (paypal). */
#define INGEST_FORMATS_MORE                                                                      \
	{"paypal-statement", ingest_fmt_paypal_statement}, {"paypal-de", ingest_fmt_paypal_de},      \
	{"paypal-fr", ingest_fmt_paypal_fr}, {"paypal-fr-statement", ingest_fmt_paypal_fr_statement}, \
	{"paypal-es", ingest_fmt_paypal_es}, {"paypal-es-statement", ingest_fmt_paypal_es_statement}, \
	{"tunecore", ingest_fmt_tunecore}, {"cdbaby", ingest_fmt_cdbaby}, {"steam", ingest_fmt_steam}, \
	{"youtube", ingest_fmt_youtube}, {"kdp", ingest_fmt_kdp},                                     \
	{"shopify-sales", ingest_fmt_shopify_sales}, {"soundcloud", ingest_fmt_soundcloud},

#endif
