/*
 * qom/property.c: class-declared typed properties.
 */
#include <inttypes.h>
#include <string.h>

#include "qom/error.h"
#include "qom/opts.h"
#include "qom/property.h"

#define FIELD(obj, prop, T) ((T *)((char *)(obj) + (prop)->offset))

void object_class_add_props(ObjectClass *klass, const ObjectProperty *props)
{
    for (const ObjectProperty *p = props; p->name; p++) {
        g_assert(p->kind != PROP_KIND_LINK || p->link_type);
        g_assert(p->kind != PROP_KIND_CUSTOM || (p->set && p->get));
        g_ptr_array_add(klass->properties, (gpointer)p);
    }
}

static const ObjectProperty *class_own_property(ObjectClass *klass,
                                                const char *name)
{
    for (unsigned i = 0; i < klass->properties->len; i++) {
        const ObjectProperty *p = g_ptr_array_index(klass->properties, i);
        if (strcmp(p->name, name) == 0) {
            return p;
        }
    }
    return NULL;
}

const ObjectProperty *object_class_property_find(ObjectClass *klass,
                                                 const char *name)
{
    for (; klass; klass = object_class_get_parent(klass)) {
        const ObjectProperty *p = class_own_property(klass, name);
        if (p) {
            return p;
        }
    }
    return NULL;
}

/* Ancestors first; a property overridden lower down is shown once, there. */
static void foreach_rec(ObjectClass *klass, ObjectClass *leaf,
                        void (*fn)(const ObjectProperty *, void *), void *opaque)
{
    ObjectClass *parent = object_class_get_parent(klass);
    if (parent) {
        foreach_rec(parent, leaf, fn, opaque);
    }
    for (unsigned i = 0; i < klass->properties->len; i++) {
        const ObjectProperty *p = g_ptr_array_index(klass->properties, i);
        if (object_class_property_find(leaf, p->name) == p) {
            fn(p, opaque);
        }
    }
}

void object_class_property_foreach(ObjectClass *klass,
                                   void (*fn)(const ObjectProperty *prop,
                                              void *opaque),
                                   void *opaque)
{
    foreach_rec(klass, klass, fn, opaque);
}

static const char *const kind_names[] = {
    [PROP_KIND_STR] = "str",
    [PROP_KIND_BOOL] = "bool",
    [PROP_KIND_UINT32] = "uint32",
    [PROP_KIND_UINT64] = "uint64",
    [PROP_KIND_INT64] = "int64",
    [PROP_KIND_SIZE] = "size",
};

char *object_property_type_name(const ObjectProperty *prop)
{
    switch (prop->kind) {
    case PROP_KIND_LINK:
        return g_strdup_printf("link<%s>", prop->link_type);
    case PROP_KIND_CUSTOM:
        return g_strdup(prop->custom_type ? prop->custom_type : "str");
    default:
        return g_strdup(kind_names[prop->kind]);
    }
}

static char *default_string(const ObjectProperty *p)
{
    if (!p->has_default) {
        return NULL;
    }
    switch (p->kind) {
    case PROP_KIND_STR:
        return p->defval.s ? g_strdup_printf("\"%s\"", p->defval.s) : NULL;
    case PROP_KIND_BOOL:
        return g_strdup(p->defval.b ? "true" : "false");
    case PROP_KIND_UINT32:
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        return g_strdup_printf("%" PRIu64, p->defval.u);
    case PROP_KIND_INT64:
        return g_strdup_printf("%" PRId64, p->defval.i);
    default:
        return NULL;
    }
}

char *object_property_help(const ObjectProperty *prop)
{
    g_autofree char *type = object_property_type_name(prop);
    g_autofree char *def = default_string(prop);
    g_autofree char *head = g_strdup_printf("%s=<%s>", prop->name, type);
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "  %-24s", head);
    if (prop->description || def) {
        g_string_append(s, " -");
    }
    if (prop->description) {
        g_string_append_printf(s, " %s", prop->description);
    }
    if (def) {
        g_string_append_printf(s, " (default: %s)", def);
    }
    return g_string_free(s, false);
}

void object_props_apply_defaults(Object *obj, ObjectClass *klass)
{
    for (unsigned i = 0; i < klass->properties->len; i++) {
        const ObjectProperty *p = g_ptr_array_index(klass->properties, i);
        if (!p->has_default) {
            continue;
        }
        switch (p->kind) {
        case PROP_KIND_STR:
            g_free(*FIELD(obj, p, char *));
            *FIELD(obj, p, char *) = g_strdup(p->defval.s);
            break;
        case PROP_KIND_BOOL:
            *FIELD(obj, p, bool) = p->defval.b;
            break;
        case PROP_KIND_UINT32:
            *FIELD(obj, p, uint32_t) = (uint32_t)p->defval.u;
            break;
        case PROP_KIND_UINT64:
        case PROP_KIND_SIZE:
            *FIELD(obj, p, uint64_t) = p->defval.u;
            break;
        case PROP_KIND_INT64:
            *FIELD(obj, p, int64_t) = p->defval.i;
            break;
        default:
            break;
        }
    }
}

void object_props_release(Object *obj, ObjectClass *klass)
{
    for (unsigned i = 0; i < klass->properties->len; i++) {
        const ObjectProperty *p = g_ptr_array_index(klass->properties, i);
        if (p->kind == PROP_KIND_STR) {
            g_clear_pointer(FIELD(obj, p, char *), g_free);
        } else if (p->kind == PROP_KIND_LINK) {
            g_clear_pointer(FIELD(obj, p, Object *), object_unref);
        }
    }
}

static const ObjectProperty *find_or_fail(Object *obj, const char *name,
                                          GError **errp)
{
    const ObjectProperty *p = object_class_property_find(obj->klass, name);
    if (!p) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "Property '%s.%s' not found", object_get_typename(obj),
                    name);
    }
    return p;
}

static bool set_link(Object *obj, const ObjectProperty *p, Object *target,
                     GError **errp)
{
    if (target && !object_dynamic_cast(target, p->link_type)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Property '%s' expects a '%s', got a '%s'", p->name,
                    p->link_type, object_get_typename(target));
        return false;
    }
    Object **field = FIELD(obj, p, Object *);
    if (target) {
        object_ref(target);
    }
    object_unref(*field);
    *field = target;
    return true;
}

bool object_property_parse(Object *obj, const char *name, const char *value,
                           GError **errp)
{
    const ObjectProperty *p = find_or_fail(obj, name, errp);
    bool b;
    uint64_t u;
    int64_t i;

    if (!p) {
        return false;
    }
    if (p->kind == PROP_KIND_CUSTOM) {
        return p->set(obj, p, value, errp);
    }
    /* Parse everything before storing anything: a refused value leaves
     * the old one in place. */
    switch (p->kind) {
    case PROP_KIND_BOOL:
        if (!parse_bool(name, value, &b, errp)) {
            return false;
        }
        break;
    case PROP_KIND_UINT32:
    case PROP_KIND_UINT64:
        if (!parse_uint(name, value,
                        p->kind == PROP_KIND_UINT32 ? UINT32_MAX : UINT64_MAX,
                        &u, errp)) {
            return false;
        }
        break;
    case PROP_KIND_SIZE:
        if (!parse_size(name, value, &u, errp)) {
            return false;
        }
        break;
    case PROP_KIND_INT64:
        if (!parse_int(name, value, INT64_MIN, INT64_MAX, &i, errp)) {
            return false;
        }
        break;
    default:
        break;
    }
    if (p->set && !p->set(obj, p, value, errp)) {
        return false;
    }
    switch (p->kind) {
    case PROP_KIND_STR:
        g_free(*FIELD(obj, p, char *));
        *FIELD(obj, p, char *) = g_strdup(value);
        return true;
    case PROP_KIND_BOOL:
        *FIELD(obj, p, bool) = b;
        return true;
    case PROP_KIND_UINT32:
        *FIELD(obj, p, uint32_t) = (uint32_t)u;
        return true;
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        *FIELD(obj, p, uint64_t) = u;
        return true;
    case PROP_KIND_INT64:
        *FIELD(obj, p, int64_t) = i;
        return true;
    case PROP_KIND_LINK: {
        Object *target = NULL;
        if (*value) {
            target = object_resolve_path(obj, value, NULL);
            if (!target) {
                g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                            "Property '%s': no object at path '%s'", name,
                            value);
                return false;
            }
        }
        return set_link(obj, p, target, errp);
    }
    default:
        g_assert_not_reached();
    }
}

char *object_property_print(Object *obj, const char *name, GError **errp)
{
    const ObjectProperty *p = object_class_property_find(obj->klass, name);
    if (!p) {
        Object *child = object_get_child(obj, name);
        if (child) {
            return object_get_canonical_path(child);
        }
        find_or_fail(obj, name, errp);
        return NULL;
    }
    switch (p->kind) {
    case PROP_KIND_STR: {
        const char *s = *FIELD(obj, p, char *);
        return g_strdup(s ? s : "");
    }
    case PROP_KIND_BOOL:
        return g_strdup(*FIELD(obj, p, bool) ? "on" : "off");
    case PROP_KIND_UINT32:
        return g_strdup_printf("%" PRIu32, *FIELD(obj, p, uint32_t));
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        return g_strdup_printf("%" PRIu64, *FIELD(obj, p, uint64_t));
    case PROP_KIND_INT64:
        return g_strdup_printf("%" PRId64, *FIELD(obj, p, int64_t));
    case PROP_KIND_LINK: {
        Object *t = *FIELD(obj, p, Object *);
        return t ? object_get_canonical_path(t) : g_strdup("");
    }
    case PROP_KIND_CUSTOM: {
        char *s = p->get(obj, p);
        return s ? s : g_strdup("");
    }
    }
    g_assert_not_reached();
}

bool object_property_set_link(Object *obj, const char *name, Object *target,
                              GError **errp)
{
    const ObjectProperty *p = find_or_fail(obj, name, errp);
    if (!p) {
        return false;
    }
    if (p->kind != PROP_KIND_LINK) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Property '%s' is not a link", name);
        return false;
    }
    return set_link(obj, p, target, errp);
}

typedef struct ForeachCtx {
    void (*fn)(const char *, const char *, const char *, void *);
    void *opaque;
} ForeachCtx;

static void foreach_class_prop(const ObjectProperty *p, void *opaque)
{
    ForeachCtx *ctx = opaque;
    g_autofree char *type = object_property_type_name(p);
    ctx->fn(p->name, type, p->description, ctx->opaque);
}

static int foreach_child(Object *child, void *opaque)
{
    ForeachCtx *ctx = opaque;
    g_autofree char *type = g_strdup_printf("child<%s>",
                                            object_get_typename(child));
    ctx->fn(child->name, type, NULL, ctx->opaque);
    return 0;
}

void object_property_foreach(Object *obj,
                             void (*fn)(const char *name, const char *type,
                                        const char *description, void *opaque),
                             void *opaque)
{
    ForeachCtx ctx = { fn, opaque };
    object_class_property_foreach(obj->klass, foreach_class_prop, &ctx);
    object_child_foreach(obj, foreach_child, &ctx);
}
