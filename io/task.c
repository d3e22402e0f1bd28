/*
 * io/task.c: QIOTask, asynchronous work with completion in a main context.
 */
#include "io/task.h"

struct QIOTask {
    Object *source;             /* referenced, may be NULL */
    QIOTaskFunc func;
    gpointer opaque;
    GDestroyNotify destroy;
    GError *err;
    gpointer result;
    GDestroyNotify result_destroy;

    /* qio_task_run_in_thread only */
    GThread *thread;
    QIOTaskWorker worker;
    gpointer worker_opaque;
    GDestroyNotify worker_destroy;
    GMainContext *context;      /* referenced */
    GMutex thread_lock;         /* held while @thread is being stored */
};

QIOTask *qio_task_new(Object *source, QIOTaskFunc func, gpointer opaque,
                      GDestroyNotify destroy)
{
    QIOTask *task = g_new0(QIOTask, 1);

    task->source = source ? object_ref(source) : NULL;
    task->func = func;
    task->opaque = opaque;
    task->destroy = destroy;
    g_mutex_init(&task->thread_lock);
    return task;
}

static void qio_task_free(QIOTask *task)
{
    if (task->destroy) {
        task->destroy(task->opaque);
    }
    if (task->result_destroy) {
        task->result_destroy(task->result);
    }
    if (task->err) {
        g_error_free(task->err);
    }
    if (task->context) {
        g_main_context_unref(task->context);
    }
    if (task->source) {
        object_unref(task->source);
    }
    g_mutex_clear(&task->thread_lock);
    g_free(task);
}

void qio_task_complete(QIOTask *task)
{
    task->func(task, task->opaque);
    qio_task_free(task);
}

/* Runs in the owner's context once the worker is done. */
static gboolean qio_task_thread_result(gpointer opaque)
{
    QIOTask *task = opaque;

    /* The worker's last act was scheduling us, so this join is immediate. */
    g_thread_join(task->thread);
    task->thread = NULL;
    qio_task_complete(task);
    return G_SOURCE_REMOVE;
}

static gpointer qio_task_thread_worker(gpointer opaque)
{
    QIOTask *task = opaque;
    GSource *idle;

    task->worker(task, task->worker_opaque);
    if (task->worker_destroy) {
        task->worker_destroy(task->worker_opaque);
    }

    g_mutex_lock(&task->thread_lock);
    g_mutex_unlock(&task->thread_lock);

    /*
     * Hand completion to the owner's context.  After the attach the task
     * belongs to that context's thread; touch nothing of it here.
     */
    idle = g_idle_source_new();
    g_source_set_callback(idle, qio_task_thread_result, task, NULL);
    g_source_attach(idle, task->context);
    g_source_unref(idle);
    return NULL;
}

void qio_task_run_in_thread(QIOTask *task, QIOTaskWorker worker,
                            gpointer opaque, GDestroyNotify destroy,
                            GMainContext *context)
{
    task->worker = worker;
    task->worker_opaque = opaque;
    task->worker_destroy = destroy;
    task->context = g_main_context_ref(context ? context
                                               : g_main_context_default());
    /*
     * The completion joins task->thread and may run in another thread as
     * soon as the worker is done; thread_lock makes the worker wait until
     * the handle is stored.
     */
    g_mutex_lock(&task->thread_lock);
    task->thread = g_thread_new("qio-task", qio_task_thread_worker, task);
    g_mutex_unlock(&task->thread_lock);
}

void qio_task_set_error(QIOTask *task, GError *err)
{
    if (!err) {
        return;
    }
    if (task->err) {
        g_error_free(err);
        return;
    }
    task->err = err;
}

bool qio_task_propagate_error(QIOTask *task, GError **errp)
{
    if (!task->err) {
        return false;
    }
    g_propagate_error(errp, task->err);
    task->err = NULL;
    return true;
}

void qio_task_set_result_pointer(QIOTask *task, gpointer result,
                                 GDestroyNotify notify)
{
    if (task->result_destroy) {
        task->result_destroy(task->result);
    }
    task->result = result;
    task->result_destroy = notify;
}

gpointer qio_task_get_result_pointer(QIOTask *task)
{
    return task->result;
}

gpointer qio_task_steal_result_pointer(QIOTask *task)
{
    gpointer result = task->result;

    task->result = NULL;
    task->result_destroy = NULL;
    return result;
}

Object *qio_task_get_source(QIOTask *task)
{
    return task->source;
}
