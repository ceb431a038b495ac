// c-ares 1.18 (Debian 12) for Swift. Only what Swift cannot reach directly would be wrapped here;
// today that is nothing: the loop uses sock_state_cb, not the ARES_GETSOCK_* macros.
#ifndef MTASTS_CCARES_SHIM_H
#define MTASTS_CCARES_SHIM_H
#include <ares.h>
#include <arpa/nameser.h>

#endif
