/*
 * chardev/char-stdio.c: minivirt's own stdin and stdout.
 *
 * On a terminal, stdin goes raw (no echo, no line editing, bytes as typed);
 * with signal=on (the default) Ctrl-C still raises SIGINT.  The old terminal
 * settings come back at exit and on any fatal signal: the handlers restore
 * them and re-raise the signal with its default action.
 *
 * The terminal is one per process, so its saved state is the one piece of
 * process-wide state here, and only one stdio chardev may exist at a time.
 * stdin/stdout stay blocking (the shell shares them); reads happen only when
 * poll says there is data, and writes only what cannot block.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "chardev/chardev-internal.h"

static const char *const stdio_opts[] = { "signal", NULL };

typedef struct StdioChardev {
    FDChardev parent;
    bool owns_stdio;            /* this one set stdio_in_use */
} StdioChardev;

/* The terminal as we found it; valid while stdio_term_saved. */
static struct termios stdio_saved_tty;
static volatile sig_atomic_t stdio_term_saved;
static bool stdio_in_use;
static bool stdio_handlers_installed;

/* Signals that would kill us with the terminal left raw. */
static const int stdio_fatal_signals[] = {
    SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV,
    SIGTERM,
};

void chardev_stdio_restore_terminal(void)
{
    /* tcsetattr is async-signal-safe. */
    if (stdio_term_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_tty);
    }
}

static void stdio_fatal_handler(int sig)
{
    chardev_stdio_restore_terminal();
    /* SA_RESETHAND put the default action back: die as we would have. */
    raise(sig);
}

/* Only signals nobody else handles: the board's own handlers win. */
static void stdio_install_handlers(void)
{
    if (stdio_handlers_installed) {
        return;
    }
    stdio_handlers_installed = true;
    atexit(chardev_stdio_restore_terminal);
    for (size_t i = 0; i < G_N_ELEMENTS(stdio_fatal_signals); i++) {
        struct sigaction old, sa = { .sa_handler = stdio_fatal_handler,
                                     .sa_flags = SA_RESETHAND };
        sigemptyset(&sa.sa_mask);
        if (sigaction(stdio_fatal_signals[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_DFL) {
            sigaction(stdio_fatal_signals[i], &sa, NULL);
        }
    }
}

static void stdio_set_raw(bool allow_signal)
{
    struct termios tty;

    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tty) < 0) {
        return;
    }
    if (!stdio_term_saved) {
        stdio_saved_tty = tty;
        stdio_term_saved = 1;
        stdio_install_handlers();
    }
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                     IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signal) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &tty);
}

static bool stdio_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                           GError **errp)
{
    bool allow_signal;
    int fd_in, fd_out;

    if (stdio_in_use) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                    "cannot use stdio by multiple character devices");
        return false;
    }
    if (!opts_get_bool(opts, "signal", true, &allow_signal, errp)) {
        return false;
    }
    fd_in = dup(STDIN_FILENO);
    fd_out = dup(STDOUT_FILENO);
    if (fd_in < 0 || fd_out < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "dup: %s", g_strerror(errno));
        if (fd_in >= 0) {
            close(fd_in);
        }
        if (fd_out >= 0) {
            close(fd_out);
        }
        return false;
    }
    if (!chr_fd_open(chr, fd_in, fd_out, true, errp)) {
        return false;
    }
    stdio_set_raw(allow_signal);
    stdio_in_use = true;
    ((StdioChardev *)chr)->owns_stdio = true;
    return true;
}

static void stdio_chr_finalize(Object *obj)
{
    if (((StdioChardev *)obj)->owns_stdio) {
        chardev_stdio_restore_terminal();
        stdio_in_use = false;
    }
}

static void stdio_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "minivirt's stdin/stdout, raw on a terminal (signal=)";
    cc->opts = stdio_opts;
    cc->open = stdio_chr_open;
}

static const TypeInfo stdio_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "stdio",
    .parent = TYPE_CHARDEV_FD,
    .instance_size = sizeof(StdioChardev),
    .instance_finalize = stdio_chr_finalize,
    .class_init = stdio_chr_class_init,
};

static void stdio_chr_register(void)
{
    type_register_static(&stdio_chr_info);
}
type_init(stdio_chr_register)
