/*
 * chardev/chardev-internal.h: what chardev/ files share and nobody else uses.
 */
#ifndef CHARDEV_CHARDEV_INTERNAL_H
#define CHARDEV_CHARDEV_INTERNAL_H

#include "chardev/chardev.h"

/* The keys -chardev accepts as bare "key" / "nokey" flags. */
extern const char *const chardev_bool_opts[];

/*
 * chardev_new_internal: create a @typename chardev named @id in @container
 * and open it with @opts (already checked).  Delivers OPENED if the backend
 * came up open.
 */
Chardev *chardev_new_internal(Object *container, const char *typename,
                              const char *id, const Opts *opts, GError **errp);

/* A GSource that is always ready, for backends that never refuse a write. */
GSource *chr_ready_source_new(void);

/* The backend's watch for @cond (its hook, or the always-ready source). */
GSource *chr_create_watch(Chardev *s, GIOCondition cond);

/* ---- mux, for char.c and char-fe.c --------------------------------------- */

typedef struct MuxChardev MuxChardev;

/* chardev_mux_new: a mux named @id over @base (bound as its front end). */
Chardev *chardev_mux_new(Object *container, const char *id, Chardev *base,
                         GError **errp);
/* The number of front ends on @chr if it is a mux, else 0. */
unsigned chardev_mux_frontend_count(Chardev *chr);
/* Attach / detach front end @be; attach sets be->tag. */
bool mux_chr_attach_frontend(Chardev *mux, CharBackend *be, GError **errp);
void mux_chr_detach_frontend(Chardev *mux, CharBackend *be);
/* Give the focus to front end @tag (MUX_OUT to the old, MUX_IN to it). */
void mux_chr_set_focus(Chardev *mux, int tag);
bool chardev_is_mux(Chardev *chr);

/* Copy @src into a new Opts (there is no opts_copy in qom/). */
Opts *chardev_opts_copy(const Opts *src);

#endif /* CHARDEV_CHARDEV_INTERNAL_H */
