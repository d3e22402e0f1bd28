/*
 * test-qom: the object model as devices and the command line use it.
 */
#include <string.h>

#include "qom/error.h"
#include "qom/object.h"
#include "qom/property.h"

/* A three-level hierarchy: animal (abstract) -> dog -> puppy. */
#define TYPE_ANIMAL "test-animal"
#define TYPE_DOG "test-dog"
#define TYPE_PUPPY "test-puppy"
#define TYPE_PET "test-pet-interface"
#define TYPE_ROCK "test-rock"

typedef struct Animal {
    Object parent_obj;
    char *name;
    bool tame;
    uint32_t legs;
    uint64_t weight;
    int64_t offset;
    Object *friend;
    GString *log;   /* shared event log, owned by the test */
} Animal;

typedef struct AnimalClass {
    ObjectClass parent_class;
    const char *(*speak)(Animal *a);
    int generation;
} AnimalClass;

DECLARE_TYPE(Animal, AnimalClass, ANIMAL, TYPE_ANIMAL)

/* The order in which class_init ran, across the whole test program. */
static GString *class_init_order;

static void log_event(Object *obj, const char *what)
{
    Animal *a = ANIMAL(obj);
    if (a->log) {
        g_string_append_printf(a->log, "%s:%s ", what, a->name ? a->name : "?");
    }
}

static const char *animal_speak(Animal *a)
{
    return "...";
}

static const char *dog_speak(Animal *a)
{
    return "woof";
}

static const char *puppy_speak(Animal *a)
{
    return "yip";
}

static bool check_legs(Object *obj, const ObjectProperty *prop,
                       const char *value, GError **errp)
{
    if (strcmp(value, "3") == 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'legs' refuses '%s'", value);
        return false;
    }
    return true;
}

static bool set_mood(Object *obj, const ObjectProperty *prop,
                     const char *value, GError **errp)
{
    Animal *a = ANIMAL(obj);
    a->tame = strcmp(value, "calm") == 0;
    return true;
}

static char *get_mood(Object *obj, const ObjectProperty *prop)
{
    return g_strdup(ANIMAL(obj)->tame ? "calm" : "wild");
}

static const ObjectProperty animal_props[] = {
    PROP_STR("name", Animal, name, "what it answers to"),
    PROP_BOOL("tame", Animal, tame, false, "whether it bites"),
    { .name = "legs", .kind = PROP_KIND_UINT32, .description = "leg count",
      .offset = PROP_OFFSET(Animal, legs, uint32_t), .has_default = true,
      .defval.u = 4, .set = check_legs },
    PROP_SIZE("weight", Animal, weight, 1024, "in bytes, of course"),
    PROP_INT64("offset", Animal, offset, -1, NULL),
    PROP_LINK("friend", Animal, friend, TYPE_ANIMAL, "another animal"),
    PROP_CUSTOM("mood", "str", set_mood, get_mood, "calm or wild"),
    PROP_END
};

static void animal_class_init(ObjectClass *oc, void *data)
{
    AnimalClass *ac = (AnimalClass *)oc;
    g_string_append(class_init_order, "animal ");
    ac->speak = animal_speak;
    ac->generation = 1;
    object_class_add_props(oc, animal_props);
}

static void animal_finalize(Object *obj)
{
    log_event(obj, "animal_fin");
}

static void dog_class_init(ObjectClass *oc, void *data)
{
    AnimalClass *ac = ANIMAL_CLASS(oc);
    g_string_append(class_init_order, "dog ");
    g_assert_cmpint(ac->generation, ==, 1);   /* parent copied in first */
    ac->speak = dog_speak;
    ac->generation = 2;
}

static void dog_init(Object *obj)
{
    /* Parent init and property defaults ran before us. */
    g_assert_cmpuint(ANIMAL(obj)->legs, ==, 4);
}

static void dog_finalize(Object *obj)
{
    log_event(obj, "dog_fin");
}

static const ObjectProperty puppy_props[] = {
    PROP_UINT32("legs", Animal, legs, 2, "a puppy still learning"),
    PROP_END
};

static void puppy_class_init(ObjectClass *oc, void *data)
{
    AnimalClass *ac = ANIMAL_CLASS(oc);
    g_string_append(class_init_order, "puppy ");
    g_assert_cmpint(ac->generation, ==, 2);
    ac->speak = puppy_speak;
    ac->generation = 3;
    object_class_add_props(oc, puppy_props);
}

static void puppy_finalize(Object *obj)
{
    log_event(obj, "puppy_fin");
}

static const InterfaceInfo dog_ifaces[] = { { TYPE_PET }, { NULL } };

static const TypeInfo test_types[] = {
    { .name = TYPE_PET, .parent = TYPE_INTERFACE },
    { .name = TYPE_ANIMAL, .parent = TYPE_OBJECT, .abstract = true,
      .instance_size = sizeof(Animal), .class_size = sizeof(AnimalClass),
      .class_init = animal_class_init, .instance_finalize = animal_finalize },
    { .name = TYPE_DOG, .parent = TYPE_ANIMAL, .class_init = dog_class_init,
      .instance_init = dog_init, .instance_finalize = dog_finalize,
      .interfaces = dog_ifaces },
    { .name = TYPE_PUPPY, .parent = TYPE_DOG, .class_init = puppy_class_init,
      .instance_finalize = puppy_finalize },
    { .name = TYPE_ROCK, .parent = TYPE_OBJECT, .instance_size = sizeof(Object) },
};

static void register_test_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(test_types); i++) {
        type_register_static(&test_types[i]);
    }
}
type_init(register_test_types)

static Animal *new_animal(const char *type, const char *name, GString *log)
{
    Animal *a = ANIMAL(object_new(type));
    g_assert_true(object_property_parse(OBJECT(a), "name", name, NULL));
    a->log = log;
    return a;
}

static void test_hierarchy_methods(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    Animal *dog = new_animal(TYPE_DOG, "rex", log);
    Animal *puppy = new_animal(TYPE_PUPPY, "bit", log);

    g_assert_cmpstr(ANIMAL_GET_CLASS(dog)->speak(dog), ==, "woof");
    g_assert_cmpstr(ANIMAL_GET_CLASS(puppy)->speak(puppy), ==, "yip");
    g_assert_cmpint(ANIMAL_GET_CLASS(puppy)->generation, ==, 3);
    g_assert_cmpstr(object_get_typename(OBJECT(puppy)), ==, TYPE_PUPPY);
    g_assert_nonnull(object_dynamic_cast(OBJECT(puppy), TYPE_ANIMAL));
    g_assert_nonnull(object_dynamic_cast(OBJECT(puppy), TYPE_DOG));
    /* Interfaces are inherited. */
    g_assert_nonnull(object_dynamic_cast(OBJECT(puppy), TYPE_PET));
    g_assert_true(object_class_get_parent(object_get_class(OBJECT(puppy))) ==
                  object_class_by_name(TYPE_DOG));
    object_unref(OBJECT(dog));
    object_unref(OBJECT(puppy));
}

static void test_class_init_order(void)
{
    /* Asking for the leaf first still builds the ancestors first. */
    g_string_truncate(class_init_order, 0);
    g_assert_nonnull(object_class_by_name(TYPE_PUPPY));
    g_assert_cmpstr(class_init_order->str, ==, "animal dog puppy ");
    /* And each class is built once. */
    g_assert_nonnull(object_class_by_name(TYPE_DOG));
    g_assert_cmpstr(class_init_order->str, ==, "animal dog puppy ");
}

static void test_dynamic_cast_fails(void)
{
    Object *rock = object_new(TYPE_ROCK);
    g_assert_null(object_dynamic_cast(rock, TYPE_ANIMAL));
    g_assert_null(object_dynamic_cast(rock, "no-such-type"));
    g_assert_null(object_dynamic_cast(NULL, TYPE_OBJECT));
    g_assert_null(object_class_dynamic_cast(object_get_class(rock), TYPE_PET));
    object_unref(rock);
}

static void test_checked_cast_aborts(void)
{
    if (g_test_subprocess()) {
        Object *rock = object_new(TYPE_ROCK);
        ANIMAL(rock);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*'test-rock' is not an instance of 'test-animal'*");
}

static void test_abstract_refused(void)
{
    g_autoptr(GError) err = NULL;
    g_assert_null(object_new_checked(TYPE_ANIMAL, NULL, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "Type 'test-animal' is abstract and cannot be instantiated");
    g_clear_error(&err);

    g_assert_null(object_new_checked("nope", NULL, &err));
    g_assert_cmpstr(err->message, ==, "'nope' is not a valid type name");
    g_clear_error(&err);

    g_assert_null(object_new_checked(TYPE_ROCK, TYPE_ANIMAL, &err));
    g_assert_cmpstr(err->message, ==,
                    "'test-rock' is not a valid test-animal type name");

    if (g_test_subprocess()) {
        object_new(TYPE_ANIMAL);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*abstract*");
}

static void test_property_parse_errors(void)
{
    Animal *a = new_animal(TYPE_DOG, "rex", NULL);
    Object *o = OBJECT(a);
    g_autoptr(GError) err = NULL;

    g_assert_false(object_property_parse(o, "tame", "maybe", &err));
    g_assert_cmpstr(err->message, ==,
                    "Parameter 'tame' expects 'on' or 'off', got 'maybe'");
    g_clear_error(&err);

    g_assert_false(object_property_parse(o, "legs", "-1", &err));
    g_assert_cmpstr(err->message, ==,
                    "Parameter 'legs' expects a number from 0 to 4294967295, got '-1'");
    g_clear_error(&err);

    g_assert_false(object_property_parse(o, "legs", "4294967296", &err));
    g_assert_nonnull(strstr(err->message, "'4294967296'"));
    g_clear_error(&err);

    /* A field check runs after parsing; a refusal keeps the old value. */
    g_assert_false(object_property_parse(o, "legs", "3", &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'legs' refuses '3'");
    g_assert_cmpuint(a->legs, ==, 4);
    g_clear_error(&err);

    g_assert_false(object_property_parse(o, "weight", "12Q", &err));
    g_assert_nonnull(strstr(err->message, "Parameter 'weight' expects a size"));
    g_assert_nonnull(strstr(err->message, "got '12Q'"));
    g_clear_error(&err);

    g_assert_false(object_property_parse(o, "colour", "red", &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_assert_cmpstr(err->message, ==, "Property 'test-dog.colour' not found");
    g_clear_error(&err);

    g_assert_false(object_property_parse(o, "friend", "/nobody", &err));
    g_assert_cmpstr(err->message, ==, "Property 'friend': no object at path '/nobody'");
    g_clear_error(&err);

    object_unref(o);
}

static void test_property_values(void)
{
    Animal *a = new_animal(TYPE_DOG, "rex", NULL);
    Object *o = OBJECT(a);
    char *s;

    /* Defaults are applied. */
    g_assert_cmpuint(a->weight, ==, 1024);
    g_assert_cmpint(a->offset, ==, -1);

    g_assert_true(object_property_parse(o, "tame", "yes", NULL));
    g_assert_true(a->tame);
    g_assert_true(object_property_parse(o, "weight", "1.5K", NULL));
    g_assert_cmpuint(a->weight, ==, 1536);
    g_assert_true(object_property_parse(o, "legs", "0x10", NULL));
    g_assert_cmpuint(a->legs, ==, 16);
    g_assert_true(object_property_parse(o, "offset", "-42", NULL));
    g_assert_cmpint(a->offset, ==, -42);
    g_assert_true(object_property_parse(o, "mood", "wild", NULL));
    g_assert_false(a->tame);

    s = object_property_print(o, "mood", NULL);
    g_assert_cmpstr(s, ==, "wild");
    g_free(s);
    s = object_property_print(o, "name", NULL);
    g_assert_cmpstr(s, ==, "rex");
    g_free(s);
    s = object_property_print(o, "friend", NULL);
    g_assert_cmpstr(s, ==, "");
    g_free(s);

    /* A subclass overrides the default of an inherited property. */
    Animal *p = new_animal(TYPE_PUPPY, "bit", NULL);
    g_assert_cmpuint(p->legs, ==, 2);
    object_unref(OBJECT(p));
    object_unref(o);
}

static void help_line(const ObjectProperty *p, void *opaque)
{
    g_autofree char *line = object_property_help(p);
    g_string_append_printf(opaque, "%s\n", line);
}

static void test_property_help(void)
{
    g_autoptr(GString) out = g_string_new(NULL);
    object_class_property_foreach(object_class_by_name(TYPE_PUPPY), help_line, out);

    /* Each property once, ancestors' first, the override's text shown. */
    g_assert_nonnull(strstr(out->str, "name=<str>"));
    g_assert_nonnull(strstr(out->str, "- what it answers to\n"));
    g_assert_nonnull(strstr(out->str,
        "legs=<uint32>            - a puppy still learning (default: 2)\n"));
    g_assert_null(strstr(out->str, "leg count"));
    g_assert_nonnull(strstr(out->str, "friend=<link<test-animal>>"));
    g_assert_nonnull(strstr(out->str, "weight=<size>"));
    g_assert_cmpint(strstr(out->str, "name=") - out->str, <,
                    strstr(out->str, "mood=") - out->str);
}

static void test_child_paths(void)
{
    Object *machine = object_new(TYPE_ROCK);
    Object *periph = object_new(TYPE_ROCK);
    Animal *dog = new_animal(TYPE_DOG, "rex", NULL);
    Animal *pup = new_animal(TYPE_PUPPY, "bit", NULL);
    g_autoptr(GError) err = NULL;
    char *path;

    g_assert_true(object_property_add_child(machine, "peripheral", periph, NULL));
    g_assert_true(object_property_add_child(periph, "vser0", OBJECT(dog), NULL));
    g_assert_true(object_property_add_child(periph, "pup", OBJECT(pup), NULL));
    object_unref(periph);           /* the tree holds them now */
    object_unref(OBJECT(dog));
    object_unref(OBJECT(pup));

    path = object_get_canonical_path(OBJECT(dog));
    g_assert_cmpstr(path, ==, "/peripheral/vser0");
    g_free(path);

    g_assert_true(object_resolve_path(OBJECT(pup), "/peripheral/vser0", NULL) ==
                  OBJECT(dog));
    g_assert_true(object_resolve_path(OBJECT(pup), "../vser0", TYPE_DOG) ==
                  OBJECT(dog));
    g_assert_null(object_resolve_path(machine, "/peripheral/vser0", TYPE_PUPPY));
    g_assert_null(object_resolve_path(machine, "/peripheral/vser1", NULL));

    /* Links resolve paths too, and check the target type. */
    g_assert_true(object_property_parse(OBJECT(pup), "friend",
                                        "/peripheral/vser0", NULL));
    g_assert_true(pup->friend == OBJECT(dog));
    g_assert_false(object_property_parse(OBJECT(pup), "friend", "/peripheral",
                                         &err));
    g_assert_cmpstr(err->message, ==,
                    "Property 'friend' expects a 'test-animal', got a 'test-rock'");
    g_clear_error(&err);

    g_assert_false(object_property_add_child(periph, "pup", OBJECT(dog), &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_EXISTS);
    g_clear_error(&err);
    g_assert_false(object_property_add_child(periph, "a/b", machine, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);

    path = object_property_print(periph, "vser0", NULL);
    g_assert_cmpstr(path, ==, "/peripheral/vser0");
    g_free(path);
    g_assert_cmpuint(object_child_count(periph), ==, 2);

    object_unref(machine);  /* frees the whole tree, links included */
}

static void test_refcount_finalize_order(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    Animal *pup = new_animal(TYPE_PUPPY, "bit", log);
    Animal *dog = new_animal(TYPE_DOG, "rex", log);

    object_ref(OBJECT(pup));
    object_unref(OBJECT(pup));
    g_assert_cmpstr(log->str, ==, "");       /* still one reference */

    /* A link holds a reference: the dog outlives its own unref. */
    g_assert_true(object_property_set_link(OBJECT(pup), "friend", OBJECT(dog),
                                           NULL));
    object_unref(OBJECT(dog));
    g_assert_cmpstr(log->str, ==, "");

    object_unref(OBJECT(pup));
    /* Leaf first, then parent; the linked dog goes when the link does. */
    g_assert_cmpstr(log->str, ==,
                    "puppy_fin:bit dog_fin:bit animal_fin:bit "
                    "dog_fin:rex animal_fin:rex ");
}

static void test_children_released(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    Animal *parent = new_animal(TYPE_DOG, "mum", log);
    Animal *child = new_animal(TYPE_PUPPY, "bit", log);

    g_assert_true(object_property_add_child(OBJECT(parent), "bit", OBJECT(child),
                                            NULL));
    object_unref(OBJECT(child));
    object_unparent(OBJECT(child));
    g_assert_cmpstr(log->str, ==, "puppy_fin:bit dog_fin:bit animal_fin:bit ");
    object_unref(OBJECT(parent));
}

static void test_type_list(void)
{
    GSList *all = object_class_get_list(TYPE_ANIMAL, false);
    GSList *with_abstract = object_class_get_list(TYPE_ANIMAL, true);
    GSList *pets = object_class_get_list(TYPE_PET, false);

    g_assert_cmpuint(g_slist_length(all), ==, 2);
    g_assert_cmpstr(object_class_get_name(all->data), ==, TYPE_DOG);
    g_assert_cmpstr(object_class_get_name(all->next->data), ==, TYPE_PUPPY);
    g_assert_cmpuint(g_slist_length(with_abstract), ==, 3);
    g_assert_cmpuint(g_slist_length(pets), ==, 2);
    g_slist_free(all);
    g_slist_free(with_abstract);
    g_slist_free(pets);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    class_init_order = g_string_new(NULL);

    /* First, while no class exists yet. */
    g_test_add_func("/qom/class/init-order", test_class_init_order);
    g_test_add_func("/qom/class/hierarchy-methods", test_hierarchy_methods);
    g_test_add_func("/qom/cast/dynamic-fails", test_dynamic_cast_fails);
    g_test_add_func("/qom/cast/checked-aborts", test_checked_cast_aborts);
    g_test_add_func("/qom/new/abstract-refused", test_abstract_refused);
    g_test_add_func("/qom/property/parse-errors", test_property_parse_errors);
    g_test_add_func("/qom/property/values", test_property_values);
    g_test_add_func("/qom/property/help", test_property_help);
    g_test_add_func("/qom/tree/child-paths", test_child_paths);
    g_test_add_func("/qom/ref/finalize-order", test_refcount_finalize_order);
    g_test_add_func("/qom/tree/unparent-finalizes", test_children_released);
    g_test_add_func("/qom/type/list", test_type_list);

    int ret = g_test_run();
    g_string_free(class_init_order, true);
    return ret;
}
