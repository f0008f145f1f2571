#ifndef SAFERELAY_CSODIUM_SHIM_H
#define SAFERELAY_CSODIUM_SHIM_H
#include <sodium.h>
#endif
