/*
 * chardev/char-telnet.c: telnet negotiation and IAC handling (see the
 * header for the protocol we speak).
 */
#include <string.h>

#include "chardev/char-telnet.h"

/* The options we offer (WILL) and the ones we ask the peer for (DO). */
#define TELNET_US_OFFER   ((1u << TELNET_OPT_ECHO) | (1u << TELNET_OPT_SGA) | \
                           (1u << TELNET_OPT_BINARY))
#define TELNET_THEM_WANT  (1u << TELNET_OPT_BINARY)

void telnet_start(TelnetState *ts, bool server, uint8_t *out)
{
    static const uint8_t greeting[TELNET_GREETING_LEN] = {
        TELNET_IAC, TELNET_WILL, TELNET_OPT_ECHO,
        TELNET_IAC, TELNET_WILL, TELNET_OPT_SGA,
        TELNET_IAC, TELNET_WILL, TELNET_OPT_BINARY,
        TELNET_IAC, TELNET_DO, TELNET_OPT_BINARY,
    };

    *ts = (TelnetState) { .rx = TELNET_RX_DATA };
    if (server) {
        /* Offered and asked: acknowledgements need no answer. */
        ts->us = TELNET_US_OFFER;
        ts->them = TELNET_THEM_WANT;
        memcpy(out, greeting, sizeof(greeting));
    }
}

static void telnet_reply(GByteArray *reply, uint8_t cmd, uint8_t opt)
{
    const uint8_t r[3] = { TELNET_IAC, cmd, opt };

    g_byte_array_append(reply, r, sizeof(r));
}

/* RFC 855/1143 without the queue: answer only real state changes. */
static void telnet_option(TelnetState *ts, uint8_t cmd, uint8_t opt,
                          GByteArray *reply)
{
    uint32_t bit = opt < 32 ? 1u << opt : 0;

    switch (cmd) {
    case TELNET_DO:
        if (bit & TELNET_US_OFFER) {
            if (!(ts->us & bit)) {
                ts->us |= bit;
                telnet_reply(reply, TELNET_WILL, opt);
            }
        } else {
            telnet_reply(reply, TELNET_WONT, opt);
        }
        break;
    case TELNET_DONT:
        if (ts->us & bit) {
            ts->us &= ~bit;
            telnet_reply(reply, TELNET_WONT, opt);
        }
        break;
    case TELNET_WILL:
        if (bit & TELNET_THEM_WANT) {
            if (!(ts->them & bit)) {
                ts->them |= bit;
                telnet_reply(reply, TELNET_DO, opt);
            }
        } else {
            telnet_reply(reply, TELNET_DONT, opt);
        }
        break;
    case TELNET_WONT:
        if (ts->them & bit) {
            ts->them &= ~bit;
            telnet_reply(reply, TELNET_DONT, opt);
        }
        break;
    }
}

int telnet_rx(TelnetState *ts, uint8_t *buf, int len, GByteArray *reply,
              int *brk)
{
    int out = 0;

    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];

        switch (ts->rx) {
        case TELNET_RX_CR:
            ts->rx = TELNET_RX_DATA;
            if (c == 0) {
                break;          /* CR NUL is a bare CR (RFC 854) */
            }
            /* fall through */
        case TELNET_RX_DATA:
            if (c == TELNET_IAC) {
                ts->rx = TELNET_RX_IAC;
            } else {
                buf[out++] = c;
                if (c == '\r') {
                    ts->rx = TELNET_RX_CR;
                }
            }
            break;
        case TELNET_RX_IAC:
            ts->rx = TELNET_RX_DATA;
            if (c == TELNET_IAC) {
                buf[out++] = c;
            } else if (c >= TELNET_WILL && c <= TELNET_DONT) {
                ts->cmd = c;
                ts->rx = TELNET_RX_OPT;
            } else if (c == TELNET_SB) {
                ts->rx = TELNET_RX_SB;
            } else if (c == TELNET_BRK) {
                (*brk)++;
            }
            /* NOP, DM, GA, AYT, ...: nothing to do. */
            break;
        case TELNET_RX_OPT:
            ts->rx = TELNET_RX_DATA;
            telnet_option(ts, ts->cmd, c, reply);
            break;
        case TELNET_RX_SB:
            if (c == TELNET_IAC) {
                ts->rx = TELNET_RX_SB_IAC;
            }
            break;
        case TELNET_RX_SB_IAC:
            ts->rx = c == TELNET_SE ? TELNET_RX_DATA : TELNET_RX_SB;
            break;
        }
    }
    return out;
}

void telnet_tx_escape(const uint8_t *buf, int len, GByteArray *out)
{
    static const uint8_t iac = TELNET_IAC;

    g_byte_array_set_size(out, 0);
    for (int i = 0; i < len; i++) {
        g_byte_array_append(out, &buf[i], 1);
        if (buf[i] == TELNET_IAC) {
            g_byte_array_append(out, &iac, 1);
        }
    }
}

int telnet_tx_consumed(TelnetState *ts, const uint8_t *buf, int len,
                       int written)
{
    int pos = 0, i;

    for (i = 0; i < len && pos < written; i++) {
        pos += buf[i] == TELNET_IAC ? 2 : 1;
    }
    /* The last byte sent was the first half of a doubled IAC. */
    ts->out_iac_owed = pos > written;
    return i;
}
