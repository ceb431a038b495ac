// SQLite 3.40 for Swift. Swift calls almost all of the C API directly; the one wrapper below
// exists because Swift cannot import what it wraps.
#ifndef MTASTS_CSQLITE_SHIM_H
#define MTASTS_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is the macro ((sqlite3_destructor_type)-1): a cast of an integer to a function
// pointer, which Swift cannot import. It tells SQLite to copy bound text and blobs before the
// call returns, so Swift may free its temporary buffers at once.
static inline sqlite3_destructor_type mtasts_sqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
