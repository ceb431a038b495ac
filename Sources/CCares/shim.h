// c-ares 1.18 (Debian 12) for Swift. Only what Swift cannot reach directly is wrapped here.
#ifndef MTASTS_CCARES_SHIM_H
#define MTASTS_CCARES_SHIM_H
#include <ares.h>
#include <arpa/nameser.h>

// ARES_GETSOCK_READABLE/WRITABLE are function-like macros, which Swift does not import.
// Delete these once the loop uses ares_getsock's successor in c-ares >= 1.20.
static inline int mtasts_ares_getsock_readable(int bits, int num) { return ARES_GETSOCK_READABLE(bits, num); }
static inline int mtasts_ares_getsock_writable(int bits, int num) { return ARES_GETSOCK_WRITABLE(bits, num); }

#endif
