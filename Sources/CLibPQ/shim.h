#ifndef JOURNEYLAB_CLIBPQ_SHIM_H
#define JOURNEYLAB_CLIBPQ_SHIM_H
// libpq's public header; the package only needs the client API.
#include <libpq-fe.h>
#endif
