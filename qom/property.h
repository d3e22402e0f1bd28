/*
 * qom/property.h: typed properties declared on classes.
 *
 * A class declares a static table of properties in class_init with
 * object_class_add_props().  Field properties (str, bool, uint32, uint64,
 * int64, size, link) store into the instance at a fixed offset and can carry
 * a default, applied before instance_init.  Custom properties have their own
 * setter and getter.  Every property is set from a string (the command line's
 * form) and printed back as one, and is listed with its type and description
 * for `-device TYPE,help`.  Children (qom/object.h) are listed as
 * "child<TYPE>" pseudo-properties by object_property_foreach.
 *
 * All functions: main thread only.
 */
#ifndef QOM_PROPERTY_H
#define QOM_PROPERTY_H

#include <stdint.h>
#include "qom/object.h"

typedef enum PropertyKind {
    PROP_KIND_STR,      /* char *, owned by the object */
    PROP_KIND_BOOL,     /* bool */
    PROP_KIND_UINT32,   /* uint32_t */
    PROP_KIND_UINT64,   /* uint64_t */
    PROP_KIND_INT64,    /* int64_t */
    PROP_KIND_SIZE,     /* uint64_t, accepts K/M/G/T/P/E suffixes */
    PROP_KIND_LINK,     /* Object *, holds a reference, set by path */
    PROP_KIND_CUSTOM,   /* @set / @get hooks, no storage */
} PropertyKind;

/*
 * Setter for custom properties, and an optional extra check for field
 * properties (run after parsing, before storing; @value is the raw string).
 * Return false and set @errp to refuse.
 */
typedef bool (*ObjectPropertySet)(Object *obj, const ObjectProperty *prop,
                                  const char *value, GError **errp);
/* Getter for custom properties: a newly allocated string, or NULL if unset. */
typedef char *(*ObjectPropertyGet)(Object *obj, const ObjectProperty *prop);

struct ObjectProperty {
    const char *name;
    PropertyKind kind;
    const char *description;
    size_t offset;
    const char *link_type;      /* PROP_KIND_LINK: required target type */
    const char *custom_type;    /* PROP_KIND_CUSTOM: the type shown in help */
    bool has_default;
    union {
        bool b;
        uint64_t u;
        int64_t i;
        const char *s;
    } defval;
    ObjectPropertySet set;      /* custom setter, or the check of a field */
    ObjectPropertyGet get;      /* custom getter */
};

/* Compile-time check that @field of @State has type @T; evaluates to 0. */
#define PROP_FIELD_CHECK(State, field, T) \
    (sizeof(char[1 - 2 * !__builtin_types_compatible_p(T, \
                    __typeof__(((State *)0)->field))]) - 1)
#define PROP_OFFSET(State, field, T) \
    (offsetof(State, field) + PROP_FIELD_CHECK(State, field, T))

#define PROP_STR(_n, _S, _f, _desc) \
    { .name = (_n), .kind = PROP_KIND_STR, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, char *) }
#define PROP_STR_DEFAULT(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_STR, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, char *), .has_default = true, \
      .defval.s = (_def) }
#define PROP_BOOL(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_BOOL, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, bool), .has_default = true, \
      .defval.b = (_def) }
#define PROP_UINT32(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_UINT32, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, uint32_t), .has_default = true, \
      .defval.u = (_def) }
#define PROP_UINT64(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_UINT64, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, uint64_t), .has_default = true, \
      .defval.u = (_def) }
#define PROP_INT64(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_INT64, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, int64_t), .has_default = true, \
      .defval.i = (_def) }
#define PROP_SIZE(_n, _S, _f, _def, _desc) \
    { .name = (_n), .kind = PROP_KIND_SIZE, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, uint64_t), .has_default = true, \
      .defval.u = (_def) }
#define PROP_LINK(_n, _S, _f, _type, _desc) \
    { .name = (_n), .kind = PROP_KIND_LINK, .description = (_desc), \
      .offset = PROP_OFFSET(_S, _f, Object *), .link_type = (_type) }
#define PROP_CUSTOM(_n, _type, _set, _get, _desc) \
    { .name = (_n), .kind = PROP_KIND_CUSTOM, .description = (_desc), \
      .custom_type = (_type), .set = (_set), .get = (_get) }
#define PROP_END { .name = NULL }

/*
 * object_class_add_props: declare the PROP_END-terminated table @props on
 * @klass.  The table must be static.  A name that an ancestor already
 * declares overrides it for this class and its descendants.
 */
void object_class_add_props(ObjectClass *klass, const ObjectProperty *props);

/* The property @name of @klass or its ancestors, or NULL. */
const ObjectProperty *object_class_property_find(ObjectClass *klass,
                                                 const char *name);

/*
 * object_class_property_foreach: call @fn for each property of @klass,
 * ancestors' first, each name once (the most derived declaration wins).
 */
void object_class_property_foreach(ObjectClass *klass,
                                   void (*fn)(const ObjectProperty *prop,
                                              void *opaque),
                                   void *opaque);

/*
 * object_property_type_name: "str", "bool", "uint32", "uint64", "int64",
 * "size", "link<TYPE>" or the custom type.  The caller frees it.
 */
char *object_property_type_name(const ObjectProperty *prop);

/*
 * object_property_help: one help line, "  name=<type>  - description
 * (default: X)", as `-device TYPE,help` prints it.  The caller frees it.
 */
char *object_property_help(const ObjectProperty *prop);

/*
 * object_property_parse: set property @name of @obj from the string @value.
 * Errors (MV_ERROR_NOT_FOUND for an unknown name, MV_ERROR_INVALID for a bad
 * value) name the property and the value, e.g.
 *   "Parameter 'max_ports' expects a number from 0 to 4294967295, got 'x'".
 */
bool object_property_parse(Object *obj, const char *name, const char *value,
                           GError **errp);

/*
 * object_property_print: the current value of @name as a string (the form
 * object_property_parse accepts), or NULL with @errp set if there is no
 * such property.  An unset str or link prints as "".  Children print their
 * canonical path.  The caller frees the string.
 */
char *object_property_print(Object *obj, const char *name, GError **errp);

/*
 * object_property_set_link: point link property @name at @target (or clear
 * it with NULL), checking the link's type.  Holds a reference on @target.
 */
bool object_property_set_link(Object *obj, const char *name, Object *target,
                              GError **errp);

/*
 * object_property_foreach: each class property of @obj, then each child as
 * a pseudo-property typed "child<TYPE>".  @fn gets the name and the type
 * string (valid during the call only).
 */
void object_property_foreach(Object *obj,
                             void (*fn)(const char *name, const char *type,
                                        const char *description, void *opaque),
                             void *opaque);

/* Internal to qom/: defaults before instance_init, release at finalize. */
void object_props_apply_defaults(Object *obj, ObjectClass *klass);
void object_props_release(Object *obj, ObjectClass *klass);

#endif /* QOM_PROPERTY_H */
