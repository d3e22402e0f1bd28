/*
 * vport: the guest side of the virtio-serial tests, one static riscv64
 * program with a subcommand per action.
 *
 *   vport list
 *   vport write PORT BYTES [--seed N] [--chunk N] [--pause-at OFF NAME] [--nohash]
 *   vport read  PORT BYTES [--chunk N] [--follow] [--timeout MS] [--nohash]
 *   vport poll  PORT --want COND[,COND...] [--timeout MS]
 *   vport trywrite PORT [--timeout MS] [--nonblock]
 *   vport eof   PORT
 *   vport echo  PORT BYTES [--chunk N]
 *   vport sync  NAME [ARGS...]
 *
 * --nohash (benchmarks): write one chunk of the stream over and over, and
 * hash nothing, so the guest's CPU goes to the transfer only.
 *
 * PORT is a path, or a name under /dev/virtio-ports/. Results go to stdout
 * as one line of shell assignments (`sha256=... bytes=N secs=T`), so a
 * test script can `eval "$(vport ...)"`. The exit status is 0 when the
 * action did what was asked, 1 otherwise, 2 on a usage error.
 *
 * The TAP port (fd $MINIVIRT_TAP_FD, default 3, opened by /init) carries
 * the lock-step protocol with the host runner: `# sync NAME ARGS` out, and
 * an `ack REPLY` line back once the host has done its part.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define VPORT_DIR        "/dev/virtio-ports/"
#define SYSFS_PORTS      "/sys/class/virtio-ports"
#define DEFAULT_CHUNK    (64 * 1024)  /* the guest driver splits at 32 KiB */
#define MAX_CHUNK        (4 * 1024 * 1024)
#define DEFAULT_TIMEOUT  30000        /* ms without progress before giving up */
#define HUP_RETRY_MS     10           /* re-poll a port whose host is away */
#define TRYWRITE_TIMEOUT 2000
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: vport list\n"
            "       vport write PORT BYTES [--seed N] [--chunk N] [--pause-at OFF NAME] [--nohash]\n"
            "       vport read PORT BYTES [--chunk N] [--follow] [--timeout MS] [--nohash]\n"
            "       vport poll PORT --want hup|nohup|in|out|noout[,...] [--timeout MS]\n"
            "       vport trywrite PORT [--timeout MS] [--nonblock]\n"
            "       vport eof PORT\n"
            "       vport echo PORT BYTES [--chunk N]\n"
            "       vport sync NAME [ARGS...]\n");
    exit(2);
}

/* Parse a byte count with an optional K/M/G suffix (powers of 1024). */
static uint64_t parse_size(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);

    switch (*end) {
    case 'K': case 'k': v <<= 10; end++; break;
    case 'M': case 'm': v <<= 20; end++; break;
    case 'G': case 'g': v <<= 30; end++; break;
    }
    if (end == s || *end) {
        fprintf(stderr, "vport: bad size '%s'\n", s);
        exit(2);
    }
    return v;
}

static int open_port(const char *port, int flags)
{
    char path[PATH_MAX];
    int fd;

    if (strchr(port, '/')) {
        snprintf(path, sizeof(path), "%s", port);
    } else {
        snprintf(path, sizeof(path), VPORT_DIR "%s", port);
    }
    fd = open(path, flags | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "vport: open %s: %s\n", path, strerror(errno));
        printf("error=open errno=%d\n", errno);
        exit(1);
    }
    return fd;
}

/*
 * The test stream: xorshift64 (Marsaglia 2003), 8 bytes per step. Cheap in
 * the guest, so the SHA-256 of the data, not its generation, is the cost.
 */
typedef struct Stream {
    uint64_t state;
    uint8_t word[8];
    unsigned used;      /* bytes of word already handed out */
} Stream;

static void stream_init(Stream *st, uint64_t seed)
{
    st->state = seed ? seed : 0x9e3779b97f4a7c15ull;
    st->used = sizeof(st->word);
}

static void stream_fill(Stream *st, uint8_t *buf, size_t len)
{
    while (len) {
        if (st->used == sizeof(st->word)) {
            uint64_t x = st->state;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            st->state = x;
            memcpy(st->word, &x, sizeof(x));
            st->used = 0;
        }
        size_t n = sizeof(st->word) - st->used;
        if (n > len) {
            n = len;
        }
        memcpy(buf, st->word + st->used, n);
        st->used += n;
        buf += n;
        len -= n;
    }
}

static int tap_fd(void)
{
    const char *s = getenv("MINIVIRT_TAP_FD");

    return s ? atoi(s) : 3;
}

/*
 * Ask the host runner to act: send `# sync TEXT`, wait for `ack REPLY` and
 * copy REPLY (without the newline) to reply. Other lines are skipped.
 */
static bool host_sync(const char *text, char *reply, size_t reply_size)
{
    int fd = tap_fd();
    char line[4096];
    size_t len = 0;
    int n = snprintf(line, sizeof(line), "# sync %s\n", text);

    if (write(fd, line, n) != n) {
        fprintf(stderr, "vport: sync: write to fd %d: %s\n", fd, strerror(errno));
        return false;
    }
    for (;;) {
        char c;
        ssize_t r = read(fd, &c, 1);    /* byte by byte: the fd is shared */
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            fprintf(stderr, "vport: sync: no reply (%s)\n",
                    r ? strerror(errno) : "EOF");
            return false;
        }
        if (c != '\n') {
            if (len < sizeof(line) - 1) {
                line[len++] = c;
            }
            continue;
        }
        line[len] = '\0';
        len = 0;
        if (strncmp(line, "ack", 3) == 0 && (line[3] == ' ' || !line[3])) {
            const char *r = line[3] ? line + 4 : "";
            size_t rl = strlen(r);
            if (rl >= reply_size) {
                rl = reply_size - 1;
            }
            memcpy(reply, r, rl);
            reply[rl] = '\0';
            return true;
        }
    }
}

static void print_digest(Sha256 *sha, uint64_t bytes, double secs)
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hex[SHA256_HEX_SIZE];

    sha256_final(sha, digest);
    sha256_hex(digest, hex);
    printf("sha256=%s bytes=%" PRIu64 " secs=%.3f", hex, bytes, secs);
}

/* poll flags by name, for --want and for the report */
static const struct {
    const char *name;
    short flag;
} poll_names[] = {
    { "in", POLLIN }, { "out", POLLOUT }, { "hup", POLLHUP }, { "err", POLLERR },
};

static void print_revents(short revents)
{
    bool first = true;

    printf("revents=");
    for (size_t i = 0; i < ARRAY_SIZE(poll_names); i++) {
        if (revents & poll_names[i].flag) {
            printf("%s%s", first ? "" : ",", poll_names[i].name);
            first = false;
        }
    }
    printf("%s", first ? "none" : "");
}

/* Everything after the subcommand: PORT, maybe BYTES, then options. */
typedef struct Args {
    const char *port;
    uint64_t bytes;
    uint64_t seed;
    size_t chunk;
    int timeout;                /* ms; each command has its own default */
    bool follow;
    bool nonblock;
    bool nohash;
    uint64_t pause_at;          /* write: sync with the host at this offset */
    const char *pause_name;
    short want_set;             /* poll: flags that must be set ... */
    short want_clear;           /* ... and flags that must be clear */
} Args;

static void parse_want(char *list, Args *a)
{
    char *tok, *save;

    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        bool neg = !strncmp(tok, "no", 2);
        const char *name = neg ? tok + 2 : tok;
        size_t k;

        for (k = 0; k < ARRAY_SIZE(poll_names); k++) {
            if (!strcmp(name, poll_names[k].name)) {
                break;
            }
        }
        if (k == ARRAY_SIZE(poll_names)) {
            usage();
        }
        if (neg) {
            a->want_clear |= poll_names[k].flag;
        } else {
            a->want_set |= poll_names[k].flag;
        }
    }
}

/* Parse PORT [BYTES] (with_bytes) and the options; usage() on errors. */
static void parse_args(int argc, char **argv, bool with_bytes, int timeout,
                       Args *a)
{
    int i = with_bytes ? 2 : 1;

    *a = (Args){ .seed = 1, .chunk = DEFAULT_CHUNK, .timeout = timeout,
                 .pause_at = UINT64_MAX };
    if (argc < i) {
        usage();
    }
    a->port = argv[0];
    if (with_bytes) {
        a->bytes = parse_size(argv[1]);
    }
    for (; i < argc; i++) {
        bool more = i + 1 < argc;
        if (!strcmp(argv[i], "--seed") && more) {
            a->seed = parse_size(argv[++i]);
        } else if (!strcmp(argv[i], "--chunk") && more) {
            a->chunk = parse_size(argv[++i]);
        } else if (!strcmp(argv[i], "--timeout") && more) {
            a->timeout = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--want") && more) {
            parse_want(argv[++i], a);
        } else if (!strcmp(argv[i], "--pause-at") && i + 2 < argc) {
            a->pause_at = parse_size(argv[++i]);
            a->pause_name = argv[++i];
        } else if (!strcmp(argv[i], "--follow")) {
            a->follow = true;
        } else if (!strcmp(argv[i], "--nonblock")) {
            a->nonblock = true;
        } else if (!strcmp(argv[i], "--nohash")) {
            a->nohash = true;
        } else {
            usage();
        }
    }
    if (!a->chunk || a->chunk > MAX_CHUNK) {
        usage();
    }
}

/*
 * Write all n bytes, retrying after EINTR; *max_stall (if not NULL) keeps
 * the longest time one write() call took. -1 with errno on an error.
 */
static int write_full(int fd, const uint8_t *buf, size_t n, double *max_stall)
{
    for (size_t off = 0; off < n;) {
        double tw = now_s();
        ssize_t r = write(fd, buf + off, n - off);
        double stall = now_s() - tw;

        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        if (max_stall && stall > *max_stall) {
            *max_stall = stall;
        }
        off += r;
    }
    return 0;
}

static int cmd_write(int argc, char **argv)
{
    Args a;
    uint64_t done = 0;
    double t0, max_stall = 0;
    Stream st;
    Sha256 sha;
    uint8_t *buf;
    int fd;

    parse_args(argc, argv, true, DEFAULT_TIMEOUT, &a);
    buf = malloc(a.chunk);
    stream_init(&st, a.seed);
    sha256_init(&sha);
    fd = open_port(a.port, O_WRONLY);
    t0 = now_s();
    while (done < a.bytes) {
        size_t n = a.chunk;
        if (n > a.bytes - done) {
            n = a.bytes - done;
        }
        if (done < a.pause_at && n > a.pause_at - done) {
            n = a.pause_at - done;
        }
        if (done == a.pause_at) {
            char reply[256];
            double tp = now_s();
            if (!host_sync(a.pause_name, reply, sizeof(reply))) {
                printf("error=sync bytes=%" PRIu64 "\n", done);
                return 1;
            }
            t0 += now_s() - tp;     /* the pause is not transfer time */
            a.pause_at = UINT64_MAX;
            continue;
        }
        if (!a.nohash || done == 0) {
            stream_fill(&st, buf, a.nohash ? a.chunk : n);
        }
        if (!a.nohash) {
            sha256_update(&sha, buf, n);
        }
        if (write_full(fd, buf, n, &max_stall) < 0) {
            fprintf(stderr, "vport: write: %s\n", strerror(errno));
            printf("error=write errno=%d bytes=%" PRIu64 "\n", errno, done);
            return 1;
        }
        done += n;
    }
    print_digest(&sha, done, now_s() - t0);
    printf(" maxstall=%.3f\n", max_stall);
    close(fd);
    return 0;
}

static int cmd_read(int argc, char **argv)
{
    Args a;
    uint64_t done = 0;
    int eofs = 0, fd;
    double t0, last_progress;
    Sha256 sha;
    uint8_t *buf;

    parse_args(argc, argv, true, DEFAULT_TIMEOUT, &a);
    buf = malloc(a.chunk);
    sha256_init(&sha);
    fd = open_port(a.port, O_RDONLY);
    t0 = last_progress = now_s();
    while (done < a.bytes) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = a.timeout - (int)((now_s() - last_progress) * 1000);
        if (left <= 0 || poll(&p, 1, left) == 0) {
            fprintf(stderr, "vport: read: no data for %d ms\n", a.timeout);
            print_digest(&sha, done, now_s() - t0);
            printf(" eofs=%d error=timeout\n", eofs);
            return 1;
        }
        size_t n = a.chunk;
        if (n > a.bytes - done) {
            n = a.bytes - done;
        }
        ssize_t r = read(fd, buf, n);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            fprintf(stderr, "vport: read: %s\n", strerror(errno));
            print_digest(&sha, done, now_s() - t0);
            printf(" eofs=%d error=read errno=%d\n", eofs, errno);
            return 1;
        }
        if (r == 0) {
            /* virtio_console: read() gives 0 while the host is away. */
            eofs++;
            if (!a.follow) {
                print_digest(&sha, done, now_s() - t0);
                printf(" eofs=%d error=eof\n", eofs);
                return 1;
            }
            if (p.revents & POLLHUP) {
                poll(NULL, 0, HUP_RETRY_MS);
            }
            continue;
        }
        if (!a.nohash) {
            sha256_update(&sha, buf, r);
        }
        done += r;
        last_progress = now_s();
    }
    print_digest(&sha, done, now_s() - t0);
    printf(" eofs=%d\n", eofs);
    close(fd);
    return 0;
}

/*
 * Wait until every condition of --want holds at once: `hup` (POLLHUP set)
 * or `nohup` (clear), and likewise in/noin and out/noout.
 */
static int cmd_poll(int argc, char **argv)
{
    Args a;
    double deadline, t0 = now_s();
    struct pollfd p;
    int fd;

    parse_args(argc, argv, false, DEFAULT_TIMEOUT, &a);
    fd = open_port(a.port, O_RDWR);
    deadline = now_s() + a.timeout / 1000.0;
    for (;;) {
        p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
        int left = (int)((deadline - now_s()) * 1000);
        /*
         * POLLHUP and POLLOUT are levels that poll() reports at once, but
         * their clearing wakes nobody: re-check every few ms.
         */
        if (poll(&p, 1, left < 50 ? (left > 0 ? left : 0) : 50) < 0 &&
            errno != EINTR) {
            printf("error=poll errno=%d\n", errno);
            return 1;
        }
        if ((p.revents & a.want_set) == a.want_set &&
            !(p.revents & a.want_clear)) {
            print_revents(p.revents);
            printf(" secs=%.3f\n", now_s() - t0);
            return 0;
        }
        if (now_s() >= deadline) {
            print_revents(p.revents);
            printf(" secs=%.3f error=timeout\n", now_s() - t0);
            return 1;
        }
        poll(NULL, 0, HUP_RETRY_MS);  /* levels poll() returns at once */
    }
}

static void on_alarm(int sig)
{
    (void)sig;
}

/*
 * Write one byte and say what happened: `result=wrote`, `result=blocked`
 * (still blocked after --timeout ms; the write was interrupted) or
 * `result=eagain` (--nonblock). Exit status 0 in every case but errors.
 */
static int cmd_trywrite(int argc, char **argv)
{
    Args a;
    struct sigaction sa = { .sa_handler = on_alarm };   /* no SA_RESTART */
    struct itimerval it = { { 0, 0 }, { 0, 0 } };
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    double t0;
    ssize_t r;
    int fd;

    parse_args(argc, argv, false, TRYWRITE_TIMEOUT, &a);
    it.it_value.tv_sec = a.timeout / 1000;
    it.it_value.tv_usec = (a.timeout % 1000) * 1000;
    fd = open_port(a.port, O_WRONLY | (a.nonblock ? O_NONBLOCK : 0));
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = now_s();
    r = write(fd, "x", 1);
    setitimer(ITIMER_REAL, &off, NULL);
    if (r == 1) {
        printf("result=wrote secs=%.3f\n", now_s() - t0);
    } else if (errno == EINTR) {
        printf("result=blocked secs=%.3f\n", now_s() - t0);
    } else if (errno == EAGAIN) {
        printf("result=eagain secs=%.3f\n", now_s() - t0);
    } else {
        printf("result=error errno=%d\n", errno);
        return 1;
    }
    return 0;
}

/* One non-blocking read: `result=eof`, `result=data` or `result=eagain`. */
static int cmd_eof(int argc, char **argv)
{
    Args a;
    char c;
    ssize_t r;
    int fd;

    parse_args(argc, argv, false, DEFAULT_TIMEOUT, &a);
    fd = open_port(a.port, O_RDONLY | O_NONBLOCK);
    r = read(fd, &c, 1);
    if (r == 0) {
        printf("result=eof\n");
    } else if (r > 0) {
        printf("result=data\n");
    } else if (errno == EAGAIN) {
        printf("result=eagain\n");
    } else {
        printf("result=error errno=%d\n", errno);
        return 1;
    }
    return 0;
}

/* Echo BYTES bytes back to the host (for the latency benchmark). */
static int cmd_echo(int argc, char **argv)
{
    Args a;
    uint64_t done = 0;
    uint8_t *buf;
    int fd;

    parse_args(argc, argv, true, DEFAULT_TIMEOUT, &a);
    buf = malloc(a.chunk);
    fd = open_port(a.port, O_RDWR);
    while (done < a.bytes) {
        ssize_t r = read(fd, buf, a.chunk);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            printf("error=%s bytes=%" PRIu64 "\n", r ? "read" : "eof", done);
            return 1;
        }
        if (write_full(fd, buf, r, NULL) < 0) {
            printf("error=write errno=%d bytes=%" PRIu64 "\n", errno, done);
            return 1;
        }
        done += r;
    }
    printf("bytes=%" PRIu64 "\n", done);
    return 0;
}

/* One line per port: `vportXpN nr=N name=NAME` (name empty if unnamed). */
static int cmd_list(int argc, char **argv)
{
    struct dirent **ents;
    int n = scandir(SYSFS_PORTS, &ents, NULL, alphasort);

    (void)argc;
    (void)argv;
    if (n < 0) {
        printf("error=scandir errno=%d\n", errno);
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX], name[256] = "";
        unsigned dev, nr;
        FILE *f;

        if (sscanf(ents[i]->d_name, "vport%up%u", &dev, &nr) != 2) {
            continue;
        }
        snprintf(path, sizeof(path), SYSFS_PORTS "/%s/name", ents[i]->d_name);
        f = fopen(path, "r");
        if (f) {
            if (!fgets(name, sizeof(name), f)) {
                name[0] = '\0';
            }
            name[strcspn(name, "\n")] = '\0';
            fclose(f);
        }
        printf("%s dev=%u nr=%u name=%s\n", ents[i]->d_name, dev, nr, name);
    }
    return 0;
}

static int cmd_sync(int argc, char **argv)
{
    char text[2048] = "", reply[2048];
    size_t len = 0;

    if (argc < 1) {
        usage();
    }
    for (int i = 0; i < argc; i++) {
        len += snprintf(text + len, sizeof(text) - len, "%s%s", i ? " " : "",
                        argv[i]);
        if (len >= sizeof(text)) {
            usage();
        }
    }
    if (!host_sync(text, reply, sizeof(reply))) {
        return 1;
    }
    printf("%s\n", reply);
    return 0;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    { "list", cmd_list }, { "write", cmd_write }, { "read", cmd_read },
    { "poll", cmd_poll }, { "trywrite", cmd_trywrite }, { "eof", cmd_eof },
    { "echo", cmd_echo }, { "sync", cmd_sync },
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage();
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(argv[1], commands[i].name)) {
            return commands[i].run(argc - 2, argv + 2);
        }
    }
    usage();
}
