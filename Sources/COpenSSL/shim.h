#ifndef SAFERELAY_COPENSSL_SHIM_H
#define SAFERELAY_COPENSSL_SHIM_H
// What libsodium lacks or does slowly: HMAC-SHA1 (Twilio signatures, TOTP) and SHA-256 with the
// CPU's SHA extensions (the audit log hashes millions of leaves).
// The one-shot SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, whose per-call context
// allocation costs more than hashing a 200-byte leaf; they remain supported.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#endif
