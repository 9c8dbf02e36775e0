/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One print layer, two formats (after iproute2's json_print.h): every field
 * is one call that names its JSON key and its text format, so text and JSON
 * never drift apart. JSON is built with json-c and written by print_flush().
 *
 * Text formats take exactly one "%s" (a width is fine: "%10s"): numbers are
 * rendered to a string first (print_count: 12,345; print_uint: 12345).
 */
#ifndef TW_PRINT_H
#define TW_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum output_type {
	PRINT_FP = 1,	/* text only */
	PRINT_JSON = 2, /* JSON only */
	PRINT_ANY = 3,	/* both */
};

void print_init(FILE *out, bool json, bool pretty);
bool print_is_json(void);
/* Writes the JSON document (if any) and frees it; -1 on a write error */
int print_flush(void);
/* Drops whatever was built, writes nothing */
void print_discard(void);

/* Containers: JSON only; a NULL key inside an array or for the root */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_string(enum output_type t, const char *key, const char *fmt, const char *v);
/* Plain decimal (ports, inode numbers) */
void print_uint(enum output_type t, const char *key, const char *fmt, uint64_t v);
/* Counts: text 12,345 */
void print_count(enum output_type t, const char *key, const char *fmt, uint64_t v);
/* A count that may be unknown: text "unavailable", JSON null */
void print_count_opt(enum output_type t, const char *key, const char *fmt, uint64_t v,
		     bool available);
/* JSON null; text shows text through fmt */
void print_null(enum output_type t, const char *key, const char *fmt, const char *text);
/* Percent rounded to 0.1: JSON a number, text "30.1%" */
void print_pct(enum output_type t, const char *key, const char *fmt, double pct);
/*
 * A decimal with digits decimals (0..6): JSON a number written with those
 * digits, text the same digits; valid false: JSON null, text "-"
 */
void print_decimal(enum output_type t, const char *key, const char *fmt, double v, int digits,
		   bool valid);
void print_bool(enum output_type t, const char *key, const char *fmt, bool v);

/*
 * Tables: text gets aligned columns with a header, JSON an array of
 * objects. Text cells fill the columns in order; JSON cells become members.
 */
struct print_col {
	const char *title;
	bool right; /* right-align (numbers) */
};

void table_open(const char *key, const struct print_col *cols, size_t ncols);
void table_row_open(void);
void table_row_close(void);
void table_close(void);
void cell_string(enum output_type t, const char *key, const char *v);
void cell_uint(enum output_type t, const char *key, uint64_t v);
void cell_count(enum output_type t, const char *key, uint64_t v);
/* JSON number or null, text "30.1%" or "-" */
void cell_pct(enum output_type t, const char *key, double pct, bool valid);

#endif
