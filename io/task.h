/*
 * io/task.h: QIOTask, one asynchronous operation with a completion callback
 * that runs in the owner's GMainContext.
 *
 * The pattern: the main thread creates a task naming the object it works
 * for (@source) and the completion callback; either finishes it itself with
 * qio_task_complete, or hands slow work (connect, getaddrinfo) to
 * qio_task_run_in_thread.  The worker records an error or a result on the
 * task; the completion callback then runs in the requested context, reads
 * them with qio_task_propagate_error / qio_task_get_result_pointer, and the
 * task is freed right after the callback returns.
 *
 * Lifetime: the task holds a reference on @source from qio_task_new until
 * it is freed, so the source object (e.g. the socket being connected) stays
 * valid in the worker and the callback even if its owner dropped it.  The
 * callback always runs; a task cannot be cancelled.  An owner that may go
 * away or change its mind before completion keeps a reference itself
 * (pass object_ref(owner) as @opaque with (GDestroyNotify)object_unref as
 * @destroy) and remembers which task it is waiting for (e.g. a pointer or
 * generation counter stored when it started the task, cleared when it gives
 * up); the callback then ignores results for a task its owner no longer
 * waits for, and just returns (dropping the result).
 */
#ifndef IO_TASK_H
#define IO_TASK_H

#include <glib.h>
#include <stdbool.h>

#include "qom/object.h"

typedef struct QIOTask QIOTask;

/* Completion callback: runs once, in the main context the task chose. */
typedef void (*QIOTaskFunc)(QIOTask *task, gpointer opaque);

/* Worker: runs in its own thread; may set an error or a result. */
typedef void (*QIOTaskWorker)(QIOTask *task, gpointer opaque);

/*
 * qio_task_new: a task for @source (may be NULL; referenced otherwise) that
 * will call @func(@task, @opaque) on completion and then @destroy(@opaque)
 * (may be NULL).  Main thread.
 */
QIOTask *qio_task_new(Object *source, QIOTaskFunc func, gpointer opaque,
                      GDestroyNotify destroy);

/*
 * qio_task_run_in_thread: run @worker(@task, @opaque) in a new thread, then
 * @destroy(@opaque) there, then complete the task from @context (NULL = the
 * default main context): the completion callback runs when that context is
 * next iterated, in the thread iterating it.  The thread is joined before
 * the task is freed.  Main thread; the task must not be used by the caller
 * afterwards.
 */
void qio_task_run_in_thread(QIOTask *task, QIOTaskWorker worker,
                            gpointer opaque, GDestroyNotify destroy,
                            GMainContext *context);

/*
 * qio_task_complete: run the completion callback now, in this thread, then
 * free the task.  For tasks that did not use a thread.
 */
void qio_task_complete(QIOTask *task);

/*
 * qio_task_set_error: record @err (ownership taken; NULL is ignored).  Only
 * the first error is kept.  Worker thread or before completion.
 */
void qio_task_set_error(QIOTask *task, GError *err);

/*
 * qio_task_propagate_error: true if the task failed, moving the error into
 * @errp (which may be NULL); false if it succeeded.  In the callback.
 */
bool qio_task_propagate_error(QIOTask *task, GError **errp);

/*
 * qio_task_set_result_pointer: record a result, freed with @notify (may be
 * NULL) when the task goes unless the callback took it.  Replaces (and
 * frees) an earlier result.
 */
void qio_task_set_result_pointer(QIOTask *task, gpointer result,
                                 GDestroyNotify notify);
gpointer qio_task_get_result_pointer(QIOTask *task);

/*
 * qio_task_steal_result_pointer: the result, which the caller now owns
 * (the task will not free it).
 */
gpointer qio_task_steal_result_pointer(QIOTask *task);

/* The object the task works for (no new reference), or NULL. */
Object *qio_task_get_source(QIOTask *task);

#endif /* IO_TASK_H */
