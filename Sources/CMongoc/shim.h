#ifndef SLUICE_CMONGOC_SHIM_H
#define SLUICE_CMONGOC_SHIM_H
#include <mongoc/mongoc.h>
#endif
