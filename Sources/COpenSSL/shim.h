#ifndef SAFERELAY_COPENSSL_SHIM_H
#define SAFERELAY_COPENSSL_SHIM_H
// Only what libsodium lacks: HMAC-SHA1 for Twilio request signatures.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
