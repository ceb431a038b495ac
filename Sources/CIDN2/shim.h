// libidn2 2.3 (Debian 12's libidn2-dev): IDNA2008 (RFC 5890-5893) for input names that are not
// all ASCII. It only computes (no I/O, no global state to set up), so MTASTSCore stays pure.
#ifndef MTASTS_CIDN2_SHIM_H
#define MTASTS_CIDN2_SHIM_H
#include <idn2.h>
#endif
