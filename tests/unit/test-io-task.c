/*
 * test-io-task: QIOTask completion, threads, errors, results and object
 * lifetimes; the dns resolver built on it.
 */
#include <string.h>

#include "io/dns-resolver.h"
#include "io/task.h"
#include "qom/error.h"

#define WAIT_TIMEOUT_US (20 * G_USEC_PER_SEC)

/* Calls expected to succeed report here; see run_test. */
static GError *test_err;

/* An owner object that records its finalization. */
#define TYPE_TEST_OWNER "test-io-owner"

typedef struct TestOwner {
    Object parent_obj;
    bool *finalized;        /* set on finalize, may be NULL */
    QIOTask *waiting_for;   /* the task whose result it still wants */
    unsigned results;       /* results it accepted */
} TestOwner;

typedef struct TestOwnerClass {
    ObjectClass parent_class;
} TestOwnerClass;

DECLARE_TYPE(TestOwner, TestOwnerClass, TEST_OWNER, TYPE_TEST_OWNER)

static void test_owner_finalize(Object *obj)
{
    TestOwner *owner = TEST_OWNER(obj);

    if (owner->finalized) {
        *owner->finalized = true;
    }
}

static const TypeInfo test_owner_info = {
    .name = TYPE_TEST_OWNER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(TestOwner),
    .class_size = sizeof(TestOwnerClass),
    .instance_finalize = test_owner_finalize,
};

static void test_register_types(void)
{
    type_register_static(&test_owner_info);
}

type_init(test_register_types)

static TestOwner *owner_new(bool *finalized)
{
    TestOwner *owner = TEST_OWNER(object_new(TYPE_TEST_OWNER));

    owner->finalized = finalized;
    return owner;
}

static void wait_for(const bool *flag, GMainContext *ctx)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_US;

    while (!*flag) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(ctx, FALSE);
        if (!*flag) {
            g_usleep(1000);
        }
    }
}

/* What a task saw, filled in by the worker and the completion. */
typedef struct Seen {
    GThread *worker_thread;
    GThread *done_thread;
    Object *source;
    GError *err;
    char *result;
    bool done;
    unsigned destroyed;         /* completion opaque destroyed */
    unsigned worker_destroyed;  /* worker opaque destroyed */
    const char *fail_with;      /* the worker fails with this message */
} Seen;

static void seen_destroy(gpointer opaque)
{
    ((Seen *)opaque)->destroyed++;
}

static void seen_worker_destroy(gpointer opaque)
{
    ((Seen *)opaque)->worker_destroyed++;
}

static void worker(QIOTask *task, gpointer opaque)
{
    Seen *seen = opaque;

    seen->worker_thread = g_thread_self();
    if (seen->fail_with) {
        qio_task_set_error(task, g_error_new_literal(MV_ERROR, MV_ERROR_IO,
                                                     seen->fail_with));
        /* Only the first error is kept. */
        qio_task_set_error(task, g_error_new_literal(MV_ERROR, MV_ERROR_IO,
                                                     "second"));
        return;
    }
    qio_task_set_result_pointer(task, g_strdup("worked"), g_free);
}

static void done(QIOTask *task, gpointer opaque)
{
    Seen *seen = opaque;

    seen->done_thread = g_thread_self();
    seen->source = qio_task_get_source(task);
    if (!qio_task_propagate_error(task, &seen->err)) {
        seen->result = qio_task_steal_result_pointer(task);
    }
    /* The error moved out: asking again reports success. */
    g_assert_false(qio_task_propagate_error(task, NULL));
    seen->done = true;
}

/* The worker runs in another thread; the completion in the main loop. */
static void test_thread_and_context(void)
{
    bool finalized = false;
    TestOwner *owner = owner_new(&finalized);
    Seen seen = { 0 };
    QIOTask *task = qio_task_new(OBJECT(owner), done, &seen, seen_destroy);

    qio_task_run_in_thread(task, worker, &seen, seen_worker_destroy, NULL);
    /* Nothing completes until the main context runs. */
    g_usleep(20000);
    g_assert_false(seen.done);
    wait_for(&seen.done, NULL);

    g_assert_true(seen.worker_thread != g_thread_self());
    g_assert_nonnull(seen.worker_thread);
    g_assert_true(seen.done_thread == g_thread_self());
    g_assert_true(seen.source == OBJECT(owner));
    g_assert_no_error(seen.err);
    g_assert_cmpstr(seen.result, ==, "worked");
    g_assert_cmpuint(seen.destroyed, ==, 1);
    g_assert_cmpuint(seen.worker_destroyed, ==, 1);
    g_free(seen.result);
    g_assert_false(finalized);
    object_unref(OBJECT(owner));
    g_assert_true(finalized);
}

static void test_error(void)
{
    Seen seen = { .fail_with = "it broke" };
    QIOTask *task = qio_task_new(NULL, done, &seen, NULL);

    qio_task_run_in_thread(task, worker, &seen, NULL, NULL);
    wait_for(&seen.done, NULL);
    g_assert_null(seen.source);
    g_assert_error(seen.err, MV_ERROR, MV_ERROR_IO);
    g_assert_cmpstr(seen.err->message, ==, "it broke");
    g_assert_null(seen.result);
    g_error_free(seen.err);
}

/* With a private context, only iterating that context completes the task. */
static void test_private_context(void)
{
    GMainContext *ctx = g_main_context_new();
    Seen seen = { 0 };
    QIOTask *task = qio_task_new(NULL, done, &seen, NULL);

    qio_task_run_in_thread(task, worker, &seen, NULL, ctx);
    for (int i = 0; i < 50; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_false(seen.done);
    wait_for(&seen.done, ctx);
    g_assert_cmpstr(seen.result, ==, "worked");
    g_free(seen.result);
    g_main_context_unref(ctx);
}

/* A result nobody takes is freed with the task (valgrind checks). */
static void unused_result_done(QIOTask *task, gpointer opaque)
{
    g_assert_cmpstr(qio_task_get_result_pointer(task), ==, "worked");
    *(bool *)opaque = true;
}

static void test_result_freed(void)
{
    bool finished = false;
    Seen seen = { 0 };
    QIOTask *task = qio_task_new(NULL, unused_result_done, &finished, NULL);

    qio_task_run_in_thread(task, worker, &seen, NULL, NULL);
    wait_for(&finished, NULL);
}

/* Without a thread: complete runs the callback at once, then destroy. */
static void test_complete_sync(void)
{
    Seen seen = { 0 };
    QIOTask *task = qio_task_new(NULL, done, &seen, seen_destroy);

    qio_task_set_result_pointer(task, g_strdup("first"), g_free);
    qio_task_set_result_pointer(task, g_strdup("sync"), g_free);
    qio_task_complete(task);
    g_assert_true(seen.done);
    g_assert_true(seen.done_thread == g_thread_self());
    g_assert_cmpstr(seen.result, ==, "sync");
    g_assert_cmpuint(seen.destroyed, ==, 1);
    g_free(seen.result);
}

/*
 * The owner drops its last reference while the task runs: the task's
 * reference keeps the source alive through the callback, and it is
 * finalized right after.
 */
static void source_alive_done(QIOTask *task, gpointer opaque)
{
    bool *finalized = opaque;
    TestOwner *owner = TEST_OWNER(qio_task_get_source(task));

    g_assert_false(*finalized);
    g_assert_cmpstr(object_get_typename(OBJECT(owner)), ==, TYPE_TEST_OWNER);
}

static void slow_worker(QIOTask *task, gpointer opaque)
{
    g_usleep(20000);
}

static void test_source_outlives_owner(void)
{
    bool finalized = false;
    TestOwner *owner = owner_new(&finalized);
    QIOTask *task = qio_task_new(OBJECT(owner), source_alive_done, &finalized,
                                 NULL);

    qio_task_run_in_thread(task, slow_worker, NULL, NULL, NULL);
    object_unref(OBJECT(owner));
    g_assert_false(finalized);
    wait_for(&finalized, NULL);
}

/*
 * Cancelling interest, as task.h documents: the owner holds itself as the
 * opaque (with a reference) and remembers the task it waits for; giving up
 * clears that, and the late callback drops the result.
 */
static void owner_task_done(QIOTask *task, gpointer opaque)
{
    TestOwner *owner = opaque;

    if (owner->waiting_for != task) {
        return;     /* the owner gave up on this one */
    }
    owner->waiting_for = NULL;
    owner->results++;
}

static void test_owner_gives_up(void)
{
    bool finalized = false;
    TestOwner *owner = owner_new(&finalized);
    QIOTask *task = qio_task_new(NULL, owner_task_done,
                                 object_ref(OBJECT(owner)),
                                 (GDestroyNotify)object_unref);

    owner->waiting_for = task;
    qio_task_run_in_thread(task, slow_worker, NULL, NULL, NULL);

    /* Give up and drop the owner's own reference. */
    owner->waiting_for = NULL;
    object_unref(OBJECT(owner));
    g_assert_false(finalized);
    wait_for(&finalized, NULL);

    /* And the same with an owner that still wants the result. */
    finalized = false;
    owner = owner_new(&finalized);
    task = qio_task_new(NULL, owner_task_done, object_ref(OBJECT(owner)),
                        (GDestroyNotify)object_unref);
    owner->waiting_for = task;
    qio_task_run_in_thread(task, slow_worker, NULL, NULL, NULL);
    while (owner->waiting_for) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpuint(owner->results, ==, 1);
    object_unref(OBJECT(owner));
    g_assert_true(finalized);
}

/* Many tasks in flight at once all complete, each exactly once. */
static void count_done(QIOTask *task, gpointer opaque)
{
    (*(unsigned *)opaque)++;
}

static void test_many(void)
{
    enum { N = 16 };
    unsigned count = 0;
    gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_US;

    for (int i = 0; i < N; i++) {
        qio_task_run_in_thread(qio_task_new(NULL, count_done, &count, NULL),
                               slow_worker, NULL, NULL, NULL);
    }
    while (count < N) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_cmpuint(count, ==, N);
}

/* ---- dns resolver ---- */

static bool has_host(SocketAddress **addrs, size_t n, const char *host)
{
    for (size_t i = 0; i < n; i++) {
        if (g_str_equal(addrs[i]->u.inet.host, host)) {
            return true;
        }
    }
    return false;
}

static void test_dns_sync_localhost(void)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet("localhost", "80");
    SocketAddress **addrs;
    size_t n;

    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs, &test_err),
                    ==, 0);
    g_assert_cmpuint(n, >=, 1);
    g_assert_true(has_host(addrs, n, "127.0.0.1") || has_host(addrs, n, "::1"));
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpint(addrs[i]->type, ==, SOCKET_ADDRESS_TYPE_INET);
        g_assert_cmpstr(addrs[i]->u.inet.port, ==, "80");
        g_assert_true(addrs[i]->u.inet.numeric);
        /* No duplicates. */
        for (size_t j = 0; j < i; j++) {
            g_assert_cmpstr(addrs[i]->u.inet.host, !=, addrs[j]->u.inet.host);
        }
    }
    socket_address_list_free(addrs, n);
}

static void test_dns_sync_numeric(void)
{
    static const char *const hosts[] = { "127.0.0.1", "::1" };

    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
        g_autoptr(SocketAddress) addr = socket_address_new_inet(hosts[i],
                                                                "4444");
        SocketAddress **addrs;
        size_t n;

        addr->u.inet.numeric = true;
        g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs,
                                                     &test_err), ==, 0);
        g_assert_cmpuint(n, ==, 1);
        g_assert_cmpstr(addrs[0]->u.inet.host, ==, hosts[i]);
        g_assert_cmpstr(addrs[0]->u.inet.port, ==, "4444");
        socket_address_list_free(addrs, n);
    }
}

/* ipv4=on keeps only IPv4 answers; ipv4=off,ipv6=off is refused. */
static void test_dns_family_filter(void)
{
    g_autoptr(SocketAddress) addr = socket_address_parse("localhost:1,ipv4=on",
                                                         &test_err);
    SocketAddress **addrs;
    size_t n;
    GError *err = NULL;

    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs, &test_err),
                    ==, 0);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpstr(addrs[0]->u.inet.host, ==, "127.0.0.1");
    socket_address_list_free(addrs, n);

    addr->u.inet.ipv4 = false;
    addr->u.inet.has_ipv6 = true;
    addr->u.inet.ipv6 = false;
    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_error_free(err);
}

static void test_dns_unix_copy(void)
{
    g_autoptr(SocketAddress) addr = socket_address_new_unix("/tmp/sock");
    SocketAddress **addrs;
    size_t n;

    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs, &test_err),
                    ==, 0);
    g_assert_cmpuint(n, ==, 1);
    g_assert_true(addrs[0] != addr);
    g_assert_cmpstr(addrs[0]->u.q_unix.path, ==, "/tmp/sock");
    socket_address_list_free(addrs, n);
}

static void test_dns_unresolvable(void)
{
    g_autoptr(SocketAddress) addr =
        socket_address_new_inet("minivirt-nonexistent.invalid", "80");
    SocketAddress **addrs;
    size_t n;
    GError *err = NULL;

    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &n, &addrs, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "minivirt-nonexistent.invalid:80"));
    g_error_free(err);
    g_assert_cmpuint(n, ==, 0);
    g_assert_null(addrs);
}

typedef struct AsyncLookup {
    bool done;
    GError *err;
    size_t n;
    SocketAddress **addrs;
} AsyncLookup;

static void lookup_done(QIOTask *task, gpointer opaque)
{
    AsyncLookup *al = opaque;

    if (!qio_task_propagate_error(task, &al->err)) {
        qio_dns_resolver_lookup_result(task, &al->n, &al->addrs);
    }
    al->done = true;
}

static void test_dns_async(void)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet("localhost", "22");
    g_autoptr(SocketAddress) bad =
        socket_address_new_inet("minivirt-nonexistent.invalid", "22");
    AsyncLookup al = { 0 };

    qio_dns_resolver_lookup_async(addr, lookup_done, &al, NULL);
    g_assert_false(al.done);
    wait_for(&al.done, NULL);
    g_assert_no_error(al.err);
    g_assert_cmpuint(al.n, >=, 1);
    g_assert_true(has_host(al.addrs, al.n, "127.0.0.1") ||
                  has_host(al.addrs, al.n, "::1"));
    socket_address_list_free(al.addrs, al.n);

    al = (AsyncLookup){ 0 };
    qio_dns_resolver_lookup_async(bad, lookup_done, &al, NULL);
    wait_for(&al.done, NULL);
    g_assert_error(al.err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_assert_cmpuint(al.n, ==, 0);
    g_error_free(al.err);
}

static void run_test(gconstpointer data)
{
    ((void (*)(void))data)();
    g_assert_no_error(test_err);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

static void add_test(const char *path, void (*fn)(void))
{
    g_test_add_data_func(path, (gconstpointer)fn, run_test);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add_test("/io/task/thread-and-main-context", test_thread_and_context);
    add_test("/io/task/error", test_error);
    add_test("/io/task/private-context", test_private_context);
    add_test("/io/task/result-freed", test_result_freed);
    add_test("/io/task/complete-sync", test_complete_sync);
    add_test("/io/task/source-outlives-owner", test_source_outlives_owner);
    add_test("/io/task/owner-gives-up", test_owner_gives_up);
    add_test("/io/task/many", test_many);
    add_test("/io/dns/sync/localhost", test_dns_sync_localhost);
    add_test("/io/dns/sync/numeric", test_dns_sync_numeric);
    add_test("/io/dns/sync/family-filter", test_dns_family_filter);
    add_test("/io/dns/sync/unix-copy", test_dns_unix_copy);
    add_test("/io/dns/sync/unresolvable", test_dns_unresolvable);
    add_test("/io/dns/async", test_dns_async);
    return g_test_run();
}
