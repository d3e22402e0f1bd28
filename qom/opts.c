/*
 * qom/opts.c: QemuOpts-style option strings and the value parsers.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qom/error.h"
#include "qom/opts.h"

struct Opts {
    GPtrArray *keys;    /* char *, first-seen order */
    GPtrArray *values;  /* char *, parallel to keys */
};

static Opts *opts_new(void)
{
    Opts *o = g_new(Opts, 1);
    o->keys = g_ptr_array_new_with_free_func(g_free);
    o->values = g_ptr_array_new_with_free_func(g_free);
    return o;
}

void opts_free(Opts *opts)
{
    if (opts) {
        g_ptr_array_free(opts->keys, true);
        g_ptr_array_free(opts->values, true);
        g_free(opts);
    }
}

static int opts_index(const Opts *opts, const char *key)
{
    for (unsigned i = 0; i < opts->keys->len; i++) {
        if (strcmp(g_ptr_array_index(opts->keys, i), key) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void opts_set(Opts *opts, const char *key, const char *value)
{
    int i = opts_index(opts, key);
    if (i >= 0) {
        g_free(opts->values->pdata[i]);
        opts->values->pdata[i] = g_strdup(value);
    } else {
        g_ptr_array_add(opts->keys, g_strdup(key));
        g_ptr_array_add(opts->values, g_strdup(value));
    }
}

bool opts_remove(Opts *opts, const char *key)
{
    int i = opts_index(opts, key);
    if (i < 0) {
        return false;
    }
    g_ptr_array_remove_index(opts->keys, i);
    g_ptr_array_remove_index(opts->values, i);
    return true;
}

unsigned opts_count(const Opts *opts)
{
    return opts->keys->len;
}

const char *opts_key(const Opts *opts, unsigned i)
{
    return g_ptr_array_index(opts->keys, i);
}

const char *opts_value(const Opts *opts, unsigned i)
{
    return g_ptr_array_index(opts->values, i);
}

const char *opts_get(const Opts *opts, const char *key)
{
    int i = opts_index(opts, key);
    return i >= 0 ? g_ptr_array_index(opts->values, i) : NULL;
}

bool opts_has(const Opts *opts, const char *key)
{
    return opts_index(opts, key) >= 0;
}

/*
 * Read one element up to a single ',' (",," is a literal comma) into @out.
 * Returns the position after the separator, or NULL at the end of input.
 */
static const char *next_element(const char *p, GString *out)
{
    g_string_truncate(out, 0);
    for (; *p; p++) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(out, ',');
                p++;
                continue;
            }
            return p + 1;
        }
        g_string_append_c(out, *p);
    }
    return NULL;
}

static bool flag_allowed(const char *const *bare_flags, const char *key)
{
    return !bare_flags || g_strv_contains(bare_flags, key);
}

Opts *opts_parse(const char *str, const char *implied_key,
                 const char *const *bare_flags, GError **errp)
{
    g_autoptr(Opts) opts = opts_new();
    g_autoptr(GString) elem = g_string_new(NULL);
    const char *p = str;
    bool first = true;

    while (p && *p) {
        p = next_element(p, elem);
        char *e = elem->str;
        char *eq = strchr(e, '=');

        if (eq) {
            *eq = '\0';
            if (!*e) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "Invalid option '=%s': empty parameter name",
                            eq + 1);
                return NULL;
            }
            opts_set(opts, e, eq + 1);
        } else if (first && implied_key) {
            opts_set(opts, implied_key, e);
        } else if (!*e) {
            /* "a,,b" was a comma; a trailing "x," or "x,,,": ignore empty. */
        } else if (flag_allowed(bare_flags, e)) {
            opts_set(opts, e, "on");
        } else if (g_str_has_prefix(e, "no") && e[2] &&
                   flag_allowed(bare_flags, e + 2)) {
            opts_set(opts, e + 2, "off");
        } else {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Invalid parameter '%s': expected key=value", e);
            return NULL;
        }
        first = false;
    }
    return g_steal_pointer(&opts);
}

bool opts_check_keys(const Opts *opts, const char *const *valid,
                     const char *what, GError **errp)
{
    for (unsigned i = 0; i < opts->keys->len; i++) {
        const char *key = g_ptr_array_index(opts->keys, i);
        if (!g_strv_contains(valid, key)) {
            g_autofree char *list = g_strjoinv(", ", (char **)valid);
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Invalid parameter '%s' for %s (valid: %s)", key, what,
                        list);
            return false;
        }
    }
    return true;
}

char *opts_to_string(const Opts *opts)
{
    GString *s = g_string_new(NULL);
    for (unsigned i = 0; i < opts->keys->len; i++) {
        if (i) {
            g_string_append_c(s, ',');
        }
        g_string_append_printf(s, "%s=", (char *)opts->keys->pdata[i]);
        for (const char *v = opts->values->pdata[i]; *v; v++) {
            g_string_append_c(s, *v);
            if (*v == ',') {
                g_string_append_c(s, ',');
            }
        }
    }
    return g_string_free(s, false);
}

bool parse_bool(const char *name, const char *value, bool *out, GError **errp)
{
    static const char *const yes[] = { "on", "yes", "true", "y", NULL };
    static const char *const no[] = { "off", "no", "false", "n", NULL };

    if (g_strv_contains(yes, value)) {
        *out = true;
        return true;
    }
    if (g_strv_contains(no, value)) {
        *out = false;
        return true;
    }
    g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                "Parameter '%s' expects 'on' or 'off', got '%s'", name, value);
    return false;
}

bool parse_uint(const char *name, const char *value, uint64_t max,
                uint64_t *out, GError **errp)
{
    char *end;
    errno = 0;
    /* strtoull accepts a sign and leading blanks: refuse both. */
    unsigned long long v = g_ascii_isdigit(*value)
                           ? strtoull(value, &end, 0) : 0;
    if (!g_ascii_isdigit(*value) || *end || errno || v > max) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter '%s' expects a number from 0 to %" G_GUINT64_FORMAT
                    ", got '%s'", name, max, value);
        return false;
    }
    *out = v;
    return true;
}

bool parse_int(const char *name, const char *value, int64_t min, int64_t max,
               int64_t *out, GError **errp)
{
    char *end;
    errno = 0;
    const char *digits = (*value == '-' || *value == '+') ? value + 1 : value;
    long long v = g_ascii_isdigit(*digits) ? strtoll(value, &end, 0) : 0;
    if (!g_ascii_isdigit(*digits) || *end || errno || v < min || v > max) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter '%s' expects a number from %" G_GINT64_FORMAT
                    " to %" G_GINT64_FORMAT ", got '%s'", name, min, max, value);
        return false;
    }
    *out = v;
    return true;
}

static int size_shift(char c)
{
    switch (c) {
    case 'B': case 'b': return 0;
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    case 'P': case 'p': return 50;
    case 'E': case 'e': return 60;
    default: return -1;
    }
}

bool parse_size(const char *name, const char *value, uint64_t *out,
                GError **errp)
{
    char *end = NULL;
    uint64_t whole = 0;
    double frac = 0;
    int shift = 0;
    bool ok = g_ascii_isdigit(*value);

    if (ok) {
        errno = 0;
        whole = strtoull(value, &end, 10);
        ok = errno == 0;
    }
    if (ok && *end == '.') {
        /* "1.5G": the fraction only makes sense with a suffix. */
        char *fend;
        frac = g_ascii_strtod(end, &fend);
        ok = fend > end + 1;
        end = fend;
    }
    if (ok && *end) {
        shift = size_shift(*end);
        ok = shift >= 0 && end[1] == '\0';
    }
    if (ok && frac != 0 && shift == 0) {
        ok = false;
    }
    if (ok && shift && whole > (UINT64_MAX >> shift)) {
        ok = false;
    }
    if (ok) {
        uint64_t v = whole << shift;
        uint64_t f = (uint64_t)floor(frac * (double)(1ull << shift));
        ok = v + f >= v;
        *out = v + f;
    }
    if (!ok) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter '%s' expects a size (a number with an optional "
                    "suffix K, M, G, T, P or E), got '%s'", name, value);
    }
    return ok;
}

bool opts_get_bool(const Opts *opts, const char *key, bool def, bool *out,
                   GError **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    return parse_bool(key, v, out, errp);
}

bool opts_get_uint(const Opts *opts, const char *key, uint64_t def,
                   uint64_t max, uint64_t *out, GError **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    return parse_uint(key, v, max, out, errp);
}

bool opts_get_size(const Opts *opts, const char *key, uint64_t def,
                   uint64_t *out, GError **errp)
{
    const char *v = opts_get(opts, key);
    if (!v) {
        *out = def;
        return true;
    }
    return parse_size(key, v, out, errp);
}
