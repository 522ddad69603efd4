/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP SYN signature of a client: initial TTL, window, options and their order, quirks. */
#ifndef HG_TCPSIG_H
#define HG_TCPSIG_H

#include <stddef.h>

#include "observe/pkt.h"

/* "6:255:65535:65535:255:" plus 20 options of "?255," and every quirk, with room to spare. */
#define TCPSIG_MAX 256

/* Writes the SYN signature of a decoded frame whose TCP flags are SYN without ACK (a client
 * opening a connection) as "ver:ittl:win:mss:ws:opts:quirks", e.g.
 * "4:64:29200:1460:7:mss,sok,ts,nop,ws:df":
 *   ver    4 or 6
 *   ittl   the initial TTL guessed from the TTL seen: up to 32 -> 32, 64 -> 64, 128 -> 128,
 *          else 255
 *   win    the window field (not scaled)
 *   mss    the maximum segment size option, 0 when absent
 *   ws     the window scale shift, "-" when absent
 *   opts   the option kinds in the order sent: mss, nop, ws, sok (SACK permitted), sack, ts,
 *          eol (the rest of the option space is padding), ?N for another kind N
 *   quirks in this order, "" when none:
 *          df    IPv4 don't fragment set
 *          ecn   ECE or CWR set (ECN negotiation)
 *          ts0   timestamp option with TSval 0
 *          ts2+  timestamp option with a non-zero TSecr (there is no peer value to echo yet)
 *          ack+  acknowledgement number non-zero without ACK
 *          uptr+ urgent pointer non-zero without URG
 *          opt+  non-zero octets after eol
 *          exws  window scale over 14 (RFC 7323 §2.3)
 * Writes like snprintf (buf may be NULL when buflen is 0) and returns the length of the whole
 * signature (under TCPSIG_MAX). Returns 0 with buf "" when p is not a TCP SYN without ACK over
 * IPv4 or IPv6, or when its options are malformed: an option length under 2 or running past
 * the header, or an mss, ws, sok or ts option of the wrong length. */
size_t tcpsig_format(const struct pkt *p, char *buf, size_t buflen);

#endif
