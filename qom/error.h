/*
 * qom/error.h: the GError domain every minivirt module reports with.
 *
 * Functions that can fail take `GError **errp` last and also return success
 * as a bool, a pointer or a non-negative int.  Messages name what the user
 * wrote (the option, the key, the value), since they are shown as they are.
 */
#ifndef QOM_ERROR_H
#define QOM_ERROR_H

#include <glib.h>

#define MV_ERROR (mv_error_quark())
GQuark mv_error_quark(void);

typedef enum MvErrorCode {
    MV_ERROR_FAILED,        /* anything without a better code */
    MV_ERROR_INVALID,       /* a bad value, key or argument */
    MV_ERROR_NOT_FOUND,     /* no such type, object, property, file */
    MV_ERROR_EXISTS,        /* the name or id is taken */
    MV_ERROR_NOT_SUPPORTED, /* understood, but not implemented */
    MV_ERROR_IO,            /* an operating system error */
    MV_ERROR_IN_USE,        /* the resource is bound to someone else */
} MvErrorCode;

#endif /* QOM_ERROR_H */
