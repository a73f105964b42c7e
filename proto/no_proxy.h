/* NO_PROXY matching as curl does it (curl 8: lib/proxy.c, proxy_check_noproxy; documented under
 * --noproxy and ENVIRONMENT in curl(1)), so that one environment means the same thing to curl
 * and to a program under the shim. Pure string work; nothing allocates. */
#ifndef SSTPSHIM_NO_PROXY_H
#define SSTPSHIM_NO_PROXY_H

#include <stdbool.h>
#include <stdint.h>

/* Whether host must be reached without a proxy according to list.
 *  - list NULL or empty, or host NULL or empty: false.
 *  - list exactly "*": true. A "*" among other entries is an ordinary (never matching) name.
 *  - Entries are separated by commas; blanks (space, tab) around an entry are skipped. Blanks
 *    alone do not separate: "a b" stops after "a", as in current curl (space-separated lists
 *    were deprecated in 2023 and dropped in 2024, curl PR 13789).
 *  - host a name: an entry matches the name itself or any name below it on a dot boundary,
 *    ASCII case-insensitive; one leading and one trailing dot of the entry and one trailing dot
 *    of host are ignored ("example.com" and ".example.com" both match "example.com" and
 *    "www.example.com", not "nonexample.com").
 *  - host an IPv4 or IPv6 literal (IPv6 with or without brackets): entries are addresses,
 *    compared as addresses ("::1" matches "0:0::1"), optionally with "/bits" (CIDR:
 *    "10.0.0.0/8", "fe80::/10"). As in curl, "/0" means the whole address, not "everything";
 *    bits above 32 (128), a non-numeric suffix or an entry of 128 bytes or more never match.
 *    Beyond curl, an IPv6 entry may also be written in brackets ("[::1]", "[fe80::]/10").
 *    Names are not resolved: an address host never matches a name entry, nor the reverse.
 *  - port: curl has no port syntax in this list; an entry such as "example.com:8080" is taken
 *    as a whole and matches nothing, and the same here. The port is part of the signature so
 *    callers hand over the whole destination; it does not change the answer. */
bool no_proxy_match(const char *list, const char *host, uint16_t port);

/* The list curl would use: no_proxy if set (even empty), else NO_PROXY; NULL when neither.
 * getenv_fn is getenv or a fake environment. */
const char *no_proxy_list(const char *(*getenv_fn)(const char *name));

#endif
