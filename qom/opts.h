/*
 * qom/opts.h: QemuOpts-style option strings and value parsers.
 *
 * "socket,id=ga,path=/tmp/a,,b,server,nowait" parses, with the implied key
 * "backend", into backend=socket, id=ga, path=/tmp/a,b, server=on,
 * wait=off.  The rules are QEMU's:
 *  - the first element may omit "key=" when the caller names an implied key;
 *  - ",," stands for a literal comma, in keys and values;
 *  - a bare element "flag" means flag=on, and "noflag" means flag=off;
 *  - a key given twice keeps the last value.
 * The same value parsers serve the command line, QOM properties and the
 * monitor, so every place accepts the same spellings.
 *
 * All functions are pure: any thread.
 */
#ifndef QOM_OPTS_H
#define QOM_OPTS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct Opts Opts;

/*
 * opts_parse: split @str into key/value pairs.  @implied_key may be NULL.
 * Fails (MV_ERROR_INVALID) on an empty key ("=x", ",,=") or an element
 * without '=' where a bare flag makes no sense (a "no" prefix alone).
 * @bare_flags lists the keys that may appear as bare "key"/"nokey" flags;
 * NULL accepts any key as a flag (QEMU's legacy behaviour).
 */
Opts *opts_parse(const char *str, const char *implied_key,
                 const char *const *bare_flags, GError **errp);
void opts_free(Opts *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Opts, opts_free)

/* The number of distinct keys, and the i-th key/value in first-seen order. */
unsigned opts_count(const Opts *opts);
const char *opts_key(const Opts *opts, unsigned i);
const char *opts_value(const Opts *opts, unsigned i);

/* The value of @key, or NULL if absent. */
const char *opts_get(const Opts *opts, const char *key);
bool opts_has(const Opts *opts, const char *key);

/* Set or replace @key. */
void opts_set(Opts *opts, const char *key, const char *value);

/* Remove @key; returns whether it was there. */
bool opts_remove(Opts *opts, const char *key);

/*
 * opts_get_bool / opts_get_uint / opts_get_size: @key parsed with the
 * parsers below, or @def if absent.  Errors name the key and the value.
 */
bool opts_get_bool(const Opts *opts, const char *key, bool def, bool *out,
                   GError **errp);
bool opts_get_uint(const Opts *opts, const char *key, uint64_t def,
                   uint64_t max, uint64_t *out, GError **errp);
bool opts_get_size(const Opts *opts, const char *key, uint64_t def,
                   uint64_t *out, GError **errp);

/*
 * opts_check_keys: fail on the first key not in the NULL-terminated @valid
 * list: "Invalid parameter 'KEY' for WHAT (valid: a, b, c)".
 */
bool opts_check_keys(const Opts *opts, const char *const *valid,
                     const char *what, GError **errp);

/*
 * opts_to_string: print back in the same syntax ("k=v,k2=v2"), commas in
 * values doubled.  The caller frees it.
 */
char *opts_to_string(const Opts *opts);

/*
 * parse_bool: on/yes/true/y and off/no/false/n.  Error:
 *   "Parameter 'NAME' expects 'on' or 'off', got 'VALUE'".
 */
bool parse_bool(const char *name, const char *value, bool *out, GError **errp);

/*
 * parse_uint: decimal, 0x hex or 0 octal, no sign, at most @max.  Error:
 *   "Parameter 'NAME' expects a number from 0 to MAX, got 'VALUE'".
 */
bool parse_uint(const char *name, const char *value, uint64_t max,
                uint64_t *out, GError **errp);

/* parse_int: like parse_uint, signed, within [@min, @max]. */
bool parse_int(const char *name, const char *value, int64_t min, int64_t max,
               int64_t *out, GError **errp);

/*
 * parse_size: a number with an optional fraction and an optional binary
 * suffix B, K/k, M, G, T, P, E ("256M", "1.5G"; no suffix = bytes).  Error:
 *   "Parameter 'NAME' expects a size (a number with an optional suffix
 *    K, M, G, T, P or E), got 'VALUE'".
 */
bool parse_size(const char *name, const char *value, uint64_t *out,
                GError **errp);

#endif /* QOM_OPTS_H */
