/*
 * qom/object.h: minivirt's small object model (after QEMU's QOM).
 *
 * A type has a name, a parent, an instance struct and a class struct.  Classes
 * are built lazily on first use, parent first: the parent class is copied into
 * the child's, then the child's class_init overrides what it wants.  Objects
 * are reference counted, carry typed properties (declared on their class, see
 * qom/property.h) and form a tree of named children with canonical paths.
 *
 * The type registry is the only global table in minivirt.  Types are
 * registered from constructors (type_init) before main() runs; everything
 * else here is called from the main thread only.
 */
#ifndef QOM_OBJECT_H
#define QOM_OBJECT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct TypeImpl TypeImpl;
typedef struct ObjectClass ObjectClass;
typedef struct Object Object;
typedef struct ObjectProperty ObjectProperty;

#define TYPE_OBJECT "object"
#define TYPE_INTERFACE "interface"

/* An interface that a type implements; see TypeInfo.interfaces. */
typedef struct InterfaceInfo {
    const char *type;
} InterfaceInfo;

/*
 * TypeInfo: the static description of a type.
 * @name: unique type name.  @parent: parent type name (NULL only for
 * "object" and "interface").  @instance_size/@class_size: 0 inherits the
 * parent's.  @class_init runs once, after the parent's class was copied in.
 * @instance_init runs root first; @instance_finalize runs leaf first.
 * @abstract types cannot be instantiated.  @interfaces is terminated by an
 * entry whose type is NULL.
 */
typedef struct TypeInfo {
    const char *name;
    const char *parent;
    size_t instance_size;
    size_t class_size;
    void (*class_init)(ObjectClass *klass, void *data);
    void *class_data;
    void (*instance_init)(Object *obj);
    void (*instance_finalize)(Object *obj);
    bool abstract;
    const InterfaceInfo *interfaces;
} TypeInfo;

struct ObjectClass {
    TypeImpl *type;
    /* Properties declared by this class only, in declaration order. */
    GPtrArray *properties;
    /*
     * Optional: called by object_unparent before @obj leaves its parent,
     * while it is still whole (devices unrealize themselves here, so that
     * tearing down a tree takes every device down in order).
     */
    void (*unparent)(Object *obj);
};

struct Object {
    ObjectClass *klass;
    unsigned ref;
    Object *parent;         /* the tree parent, not a reference */
    char *name;             /* our name under @parent */
    GPtrArray *children;    /* ObjectChild *, in insertion order */
};

/*
 * type_register_static: add @info to the registry.  @info must outlive the
 * program.  Registering a name twice is a programmer error and aborts.
 * Thread: constructors or the main thread before any object is created.
 */
void type_register_static(const TypeInfo *info);

/* type_init(fn): run @fn, which registers types, before main(). */
#define type_init(fn) \
    static void __attribute__((constructor)) qom_type_init_##fn(void) { fn(); }

/*
 * object_class_by_name: the class of @typename (initialised on demand), or
 * NULL if no such type is registered.  Main thread.
 */
ObjectClass *object_class_by_name(const char *typename);

/* The name, parent class (NULL for roots) and abstractness of @klass. */
const char *object_class_get_name(ObjectClass *klass);
ObjectClass *object_class_get_parent(ObjectClass *klass);
bool object_class_is_abstract(ObjectClass *klass);

/*
 * object_class_dynamic_cast: @klass if its type is @typename, inherits from
 * it or implements it as an interface; NULL otherwise (also for NULL @klass).
 */
ObjectClass *object_class_dynamic_cast(ObjectClass *klass, const char *typename);

/*
 * object_class_get_list: every class that is, inherits or implements
 * @implements (all types if NULL), sorted by name; abstract ones only if
 * @include_abstract.  The caller frees the list (not the classes) with
 * g_slist_free.  Main thread.
 */
GSList *object_class_get_list(const char *implements, bool include_abstract);

/*
 * object_new: a new instance of @typename with one reference held by the
 * caller.  An unknown or abstract type is a programmer error and aborts; for
 * user-supplied names use object_new_checked.  Main thread.
 */
Object *object_new(const char *typename);

/*
 * object_new_checked: like object_new, but an unknown type, an abstract type
 * or a type that is not @implements (when non-NULL) sets @errp and returns
 * NULL.
 */
Object *object_new_checked(const char *typename, const char *implements,
                           GError **errp);

/* The object's type name, and its class. */
const char *object_get_typename(const Object *obj);
static inline ObjectClass *object_get_class(const Object *obj)
{
    return obj->klass;
}

/*
 * object_dynamic_cast: @obj if it is (or implements) @typename, else NULL
 * (also for NULL @obj).
 */
Object *object_dynamic_cast(Object *obj, const char *typename);

/*
 * object_dynamic_cast_assert: the checked cast behind the OBJECT_CHECK
 * macros.  A failed cast is a programmer error: it aborts with both type
 * names and the caller's location.  NULL passes through.
 */
Object *object_dynamic_cast_assert(Object *obj, const char *typename,
                                   const char *file, int line, const char *func);
ObjectClass *object_class_dynamic_cast_assert(ObjectClass *klass,
                                              const char *typename,
                                              const char *file, int line,
                                              const char *func);

#define OBJECT(obj) ((Object *)(obj))
#define OBJECT_CLASS(klass) ((ObjectClass *)(klass))
#define OBJECT_CHECK(type, obj, name) \
    ((type *)object_dynamic_cast_assert(OBJECT(obj), (name), \
                                        __FILE__, __LINE__, __func__))
#define OBJECT_CLASS_CHECK(class_type, klass, name) \
    ((class_type *)object_class_dynamic_cast_assert(OBJECT_CLASS(klass), \
                                        (name), __FILE__, __LINE__, __func__))
#define OBJECT_GET_CLASS(class_type, obj, name) \
    OBJECT_CLASS_CHECK(class_type, object_get_class(OBJECT(obj)), name)

/*
 * DECLARE_TYPE(Instance, Class, CAST, TYPE_NAME): defines the inline casts
 * CAST(obj), CAST##_CLASS(klass) and CAST##_GET_CLASS(obj).
 */
#define DECLARE_TYPE(Inst, Klass, CAST, TYPE_NAME)                           \
    static inline G_GNUC_UNUSED Inst *CAST(const void *obj)                  \
    {                                                                        \
        return OBJECT_CHECK(Inst, obj, TYPE_NAME);                           \
    }                                                                        \
    static inline G_GNUC_UNUSED Klass *CAST##_CLASS(const void *klass)       \
    {                                                                        \
        return OBJECT_CLASS_CHECK(Klass, klass, TYPE_NAME);                  \
    }                                                                        \
    static inline G_GNUC_UNUSED Klass *CAST##_GET_CLASS(const void *obj)     \
    {                                                                        \
        return OBJECT_GET_CLASS(Klass, obj, TYPE_NAME);                      \
    }

/*
 * object_ref / object_unref: reference counting.  The last unref finalizes:
 * children are unparented, then instance_finalize runs leaf type first, up
 * to "object", and the memory is freed.  object_ref returns @obj.
 */
Object *object_ref(Object *obj);
void object_unref(Object *obj);

/*
 * object_property_add_child: make @child a child of @parent named @name.
 * The parent takes its own reference.  Fails (sets @errp, returns false) if
 * @name is empty, contains '/', is taken, or @child already has a parent.
 */
bool object_property_add_child(Object *parent, const char *name, Object *child,
                               GError **errp);

/*
 * object_unparent: run the class's unparent hook, detach @obj from its
 * parent and drop the parent's reference (which may finalize @obj).
 * No-op without a parent.
 */
void object_unparent(Object *obj);

/* The child of @parent named @name, or NULL.  No reference is taken. */
Object *object_get_child(Object *parent, const char *name);

/* Call @fn on each child in insertion order; stop early if it returns non-0. */
int object_child_foreach(Object *parent, int (*fn)(Object *child, void *opaque),
                         void *opaque);

/* The number of children of @parent. */
unsigned object_child_count(Object *parent);

/*
 * object_get_canonical_path: "/name/name/..." from the root of @obj's tree
 * ("/" for a root).  The caller frees the string.
 */
char *object_get_canonical_path(Object *obj);

/* The root of the tree @obj is in (itself if it has no parent). */
Object *object_get_root(Object *obj);

/*
 * object_resolve_path: resolve an absolute path ("/machine/peripheral/x")
 * from @root, or a relative one from @root too.  "." and ".." are
 * understood.  Returns the object (no reference taken) or NULL if any
 * component is missing.  If @typename is non-NULL, the result must also be
 * of that type or NULL is returned.
 */
Object *object_resolve_path(Object *root, const char *path, const char *typename);

#endif /* QOM_OBJECT_H */
