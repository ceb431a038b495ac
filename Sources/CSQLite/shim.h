// SQLite 3.40 for Swift. Swift calls almost all of the C API directly; the one wrapper below
// wrappers below exist because Swift cannot import what they wrap.
#ifndef MTASTS_CSQLITE_SHIM_H
#define MTASTS_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is the macro ((sqlite3_destructor_type)-1): a cast of an integer to a function
// pointer, which Swift cannot import. It tells SQLite to copy bound text and blobs before the
// call returns, so Swift may free its temporary buffers at once.
static inline sqlite3_destructor_type mtasts_sqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic, which Swift cannot call. MEMSTATUS off: SQLite then stops counting
// every allocation under a global mutex (mtasts never asks sqlite3_memory_used). It only takes
// before SQLite initialises, that is before the first connection opens.
static inline int mtasts_sqlite_no_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#endif
