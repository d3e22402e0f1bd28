/*
 * qom/object.c: types, classes, casts, reference counting and the tree.
 */
#include <string.h>

#include "qom/error.h"
#include "qom/object.h"
#include "qom/property.h"

G_DEFINE_QUARK(minivirt-error-quark, mv_error)

struct TypeImpl {
    const TypeInfo *info;
    TypeImpl *parent;          /* resolved on class initialisation */
    TypeImpl **ifaces;         /* resolved interfaces, NULL-terminated */
    size_t instance_size;
    size_t class_size;
    ObjectClass *klass;        /* NULL until first use */
    bool initialising;         /* catches parent cycles */
    bool abstract;             /* declared so, or an interface */
    bool interface;            /* "interface" or one of its descendants */
};

typedef struct ObjectChild {
    char *name;
    Object *obj;
} ObjectChild;

/* The only global table in minivirt: name -> TypeImpl. */
static GHashTable *type_table;

static GHashTable *type_table_get(void)
{
    if (!type_table) {
        type_table = g_hash_table_new(g_str_hash, g_str_equal);
    }
    return type_table;
}

void type_register_static(const TypeInfo *info)
{
    g_assert(info && info->name);
    if (g_hash_table_lookup(type_table_get(), info->name)) {
        g_error("qom: type '%s' registered twice", info->name);
    }
    TypeImpl *ti = g_new0(TypeImpl, 1);
    ti->info = info;
    g_hash_table_insert(type_table_get(), (gpointer)info->name, ti);
}

static const TypeInfo object_info = {
    .name = TYPE_OBJECT,
    .instance_size = sizeof(Object),
    .class_size = sizeof(ObjectClass),
    .abstract = true,
};

static const TypeInfo interface_info = {
    .name = TYPE_INTERFACE,
    .class_size = sizeof(ObjectClass),
    .abstract = true,
};

static void register_base_types(void)
{
    type_register_static(&object_info);
    type_register_static(&interface_info);
}
type_init(register_base_types)

static TypeImpl *type_lookup(const char *name)
{
    return name ? g_hash_table_lookup(type_table_get(), name) : NULL;
}

/*
 * Build the class of @ti: parent first, copy the parent class in so that
 * inherited methods carry over, then let class_init override them.
 */
static void type_initialize(TypeImpl *ti)
{
    if (ti->klass) {
        return;
    }
    if (ti->initialising) {
        g_error("qom: type '%s' is its own ancestor", ti->info->name);
    }
    ti->initialising = true;

    const TypeInfo *info = ti->info;
    if (info->parent) {
        ti->parent = type_lookup(info->parent);
        if (!ti->parent) {
            g_error("qom: type '%s' has unknown parent '%s'",
                    info->name, info->parent);
        }
        type_initialize(ti->parent);
        ti->interface = ti->parent->interface;
    }
    ti->interface |= strcmp(info->name, TYPE_INTERFACE) == 0;
    ti->abstract = info->abstract || ti->interface;
    ti->class_size = info->class_size ? info->class_size
                   : ti->parent ? ti->parent->class_size : sizeof(ObjectClass);
    ti->instance_size = info->instance_size ? info->instance_size
                      : ti->parent ? ti->parent->instance_size : 0;
    if (ti->parent) {
        g_assert(ti->class_size >= ti->parent->class_size);
        g_assert(ti->instance_size >= ti->parent->instance_size);
    }

    unsigned n = 0;
    while (info->interfaces && info->interfaces[n].type) {
        n++;
    }
    ti->ifaces = g_new0(TypeImpl *, n + 1);
    for (unsigned i = 0; i < n; i++) {
        ti->ifaces[i] = type_lookup(info->interfaces[i].type);
        if (!ti->ifaces[i]) {
            g_error("qom: type '%s' implements unknown interface '%s'",
                    info->name, info->interfaces[i].type);
        }
        type_initialize(ti->ifaces[i]);
    }

    ObjectClass *klass = g_malloc0(ti->class_size);
    if (ti->parent) {
        memcpy(klass, ti->parent->klass, ti->parent->class_size);
    }
    klass->type = ti;
    klass->properties = g_ptr_array_new();
    ti->klass = klass;
    if (info->class_init) {
        info->class_init(klass, info->class_data);
    }
    ti->initialising = false;
}

static bool type_is_a(TypeImpl *ti, TypeImpl *target)
{
    for (TypeImpl *t = ti; t; t = t->parent) {
        if (t == target) {
            return true;
        }
        for (TypeImpl **i = t->ifaces; i && *i; i++) {
            if (type_is_a(*i, target)) {
                return true;
            }
        }
    }
    return false;
}

ObjectClass *object_class_by_name(const char *typename)
{
    TypeImpl *ti = type_lookup(typename);
    if (!ti) {
        return NULL;
    }
    type_initialize(ti);
    return ti->klass;
}

const char *object_class_get_name(ObjectClass *klass)
{
    return klass->type->info->name;
}

ObjectClass *object_class_get_parent(ObjectClass *klass)
{
    return klass->type->parent ? klass->type->parent->klass : NULL;
}

bool object_class_is_abstract(ObjectClass *klass)
{
    return klass->type->abstract;
}

ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename)
{
    if (!klass) {
        return NULL;
    }
    TypeImpl *target = type_lookup(typename);
    return target && type_is_a(klass->type, target) ? klass : NULL;
}

static gint compare_class_names(gconstpointer a, gconstpointer b)
{
    return strcmp(object_class_get_name((ObjectClass *)a),
                  object_class_get_name((ObjectClass *)b));
}

GSList *object_class_get_list(const char *implements, bool include_abstract)
{
    GSList *list = NULL;
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, type_table_get());
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        TypeImpl *ti = value;
        type_initialize(ti);
        if (ti->abstract && !include_abstract) {
            continue;
        }
        if (implements && !object_class_dynamic_cast(ti->klass, implements)) {
            continue;
        }
        list = g_slist_prepend(list, ti->klass);
    }
    return g_slist_sort(list, compare_class_names);
}

/* Run instance_init from the root type down to @ti. */
static void object_init_with_type(Object *obj, TypeImpl *ti)
{
    if (ti->parent) {
        object_init_with_type(obj, ti->parent);
    }
    object_props_apply_defaults(obj, ti->klass);
    if (ti->info->instance_init) {
        ti->info->instance_init(obj);
    }
}

static Object *object_new_with_type(TypeImpl *ti)
{
    Object *obj = g_malloc0(ti->instance_size);
    obj->klass = ti->klass;
    obj->ref = 1;
    obj->children = g_ptr_array_new();
    object_init_with_type(obj, ti);
    return obj;
}

Object *object_new_checked(const char *typename, const char *implements,
                           GError **errp)
{
    TypeImpl *ti = type_lookup(typename);
    if (!ti) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "'%s' is not a valid type name", typename);
        return NULL;
    }
    type_initialize(ti);
    if (implements && !object_class_dynamic_cast(ti->klass, implements)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'%s' is not a valid %s type name", typename, implements);
        return NULL;
    }
    if (ti->abstract) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Type '%s' is abstract and cannot be instantiated",
                    typename);
        return NULL;
    }
    return object_new_with_type(ti);
}

Object *object_new(const char *typename)
{
    GError *err = NULL;
    Object *obj = object_new_checked(typename, NULL, &err);
    if (!obj) {
        g_error("qom: object_new: %s", err->message);
    }
    return obj;
}

const char *object_get_typename(const Object *obj)
{
    return object_class_get_name(obj->klass);
}

Object *object_dynamic_cast(Object *obj, const char *typename)
{
    return obj && object_class_dynamic_cast(obj->klass, typename) ? obj : NULL;
}

Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line, const char *func)
{
    if (obj && !object_dynamic_cast(obj, typename)) {
        g_error("%s:%d:%s: object %p of type '%s' is not an instance of '%s'",
                file, line, func, (void *)obj, object_get_typename(obj),
                typename);
    }
    return obj;
}

ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func)
{
    if (klass && !object_class_dynamic_cast(klass, typename)) {
        g_error("%s:%d:%s: class '%s' is not a subclass of '%s'",
                file, line, func, object_class_get_name(klass), typename);
    }
    return klass;
}

Object *object_ref(Object *obj)
{
    g_assert(obj && obj->ref > 0);
    obj->ref++;
    return obj;
}

/* Unparent every child, newest first, so that dependants go before providers. */
static void object_release_children(Object *obj)
{
    while (obj->children->len) {
        ObjectChild *c = g_ptr_array_index(obj->children, obj->children->len - 1);
        object_unparent(c->obj);
    }
}

static void object_finalize(Object *obj)
{
    object_release_children(obj);
    for (TypeImpl *ti = obj->klass->type; ti; ti = ti->parent) {
        if (ti->info->instance_finalize) {
            ti->info->instance_finalize(obj);
        }
        object_props_release(obj, ti->klass);
    }
    g_ptr_array_free(obj->children, true);
    g_free(obj->name);
    g_free(obj);
}

void object_unref(Object *obj)
{
    if (!obj) {
        return;
    }
    g_assert(obj->ref > 0);
    if (--obj->ref == 0) {
        object_finalize(obj);
    }
}

bool object_property_add_child(Object *parent, const char *name, Object *child,
                               GError **errp)
{
    if (!name || !*name || strchr(name, '/')) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Invalid child name '%s'", name ? name : "");
        return false;
    }
    if (object_get_child(parent, name)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "Duplicate ID '%s' under '%s'", name,
                    object_get_typename(parent));
        return false;
    }
    if (child->parent) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Object '%s' already has a parent", name);
        return false;
    }
    for (Object *o = parent; o; o = o->parent) {
        if (o == child) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Object '%s' cannot be its own descendant", name);
            return false;
        }
    }
    ObjectChild *c = g_new(ObjectChild, 1);
    c->name = g_strdup(name);
    c->obj = object_ref(child);
    g_ptr_array_add(parent->children, c);
    child->parent = parent;
    child->name = g_strdup(name);
    return true;
}

void object_unparent(Object *obj)
{
    Object *parent = obj->parent;
    if (!parent) {
        return;
    }
    if (obj->klass->unparent) {
        object_ref(obj);
        obj->klass->unparent(obj);
        parent = obj->parent;
        object_unref(obj);
        if (!parent) {
            return;     /* the hook unparented it already */
        }
    }
    for (unsigned i = 0; i < parent->children->len; i++) {
        ObjectChild *c = g_ptr_array_index(parent->children, i);
        if (c->obj == obj) {
            g_ptr_array_remove_index(parent->children, i);
            obj->parent = NULL;
            g_clear_pointer(&obj->name, g_free);
            g_free(c->name);
            g_free(c);
            object_unref(obj);
            return;
        }
    }
    g_assert_not_reached();
}

Object *object_get_child(Object *parent, const char *name)
{
    for (unsigned i = 0; i < parent->children->len; i++) {
        ObjectChild *c = g_ptr_array_index(parent->children, i);
        if (strcmp(c->name, name) == 0) {
            return c->obj;
        }
    }
    return NULL;
}

int object_child_foreach(Object *parent, int (*fn)(Object *child, void *opaque),
                         void *opaque)
{
    /* Iterate over a snapshot: @fn may unparent the child it is given. */
    g_autoptr(GPtrArray) snap = g_ptr_array_new_with_free_func(
        (GDestroyNotify)object_unref);
    for (unsigned i = 0; i < parent->children->len; i++) {
        ObjectChild *c = g_ptr_array_index(parent->children, i);
        g_ptr_array_add(snap, object_ref(c->obj));
    }
    for (unsigned i = 0; i < snap->len; i++) {
        int ret = fn(g_ptr_array_index(snap, i), opaque);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

unsigned object_child_count(Object *parent)
{
    return parent->children->len;
}

Object *object_get_root(Object *obj)
{
    while (obj->parent) {
        obj = obj->parent;
    }
    return obj;
}

char *object_get_canonical_path(Object *obj)
{
    if (!obj->parent) {
        return g_strdup("/");
    }
    GString *path = g_string_new(NULL);
    for (Object *o = obj; o->parent; o = o->parent) {
        g_string_prepend(path, o->name);
        g_string_prepend_c(path, '/');
    }
    return g_string_free(path, false);
}

Object *object_resolve_path(Object *root, const char *path, const char *typename)
{
    Object *obj = *path == '/' ? object_get_root(root) : root;
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);

    for (char **p = parts; *p; p++) {
        if (!**p || strcmp(*p, ".") == 0) {
            continue;
        }
        if (strcmp(*p, "..") == 0) {
            obj = obj->parent ? obj->parent : obj;
            continue;
        }
        obj = object_get_child(obj, *p);
        if (!obj) {
            return NULL;
        }
    }
    if (typename && !object_dynamic_cast(obj, typename)) {
        return NULL;
    }
    return obj;
}
