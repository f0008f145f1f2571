#!/usr/bin/env python3
"""Independently verify a SafeRelay audit export (docs/audit-format.md).

Usage: scripts/verify-audit-export.py EXPORT.jsonl
Needs only the standard library and the `cryptography` package (Ed25519).
Exit 0 and one line when the export verifies; exit 1 and the reason otherwise.
"""
import base64
import hashlib
import json
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def fail(reason: str) -> None:
    print(f"FAILED: {reason}")
    sys.exit(1)


def main(path: str) -> None:
    with open(path, "rb") as handle:
        lines = handle.read().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header = json.loads(lines[0])
    if header.get("format") != "saferelay-audit-export/1":
        fail("unknown format")

    # The verifier key: name+hexkeyid+base64(0x01 || public key).
    name, key_id_hex, key_b64 = header["vkey"].split("+", 2)
    key_blob = base64.b64decode(key_b64)
    if key_blob[0] != 0x01 or len(key_blob) != 33:
        fail("verifier key is not Ed25519")
    public_key = key_blob[1:]
    if hashlib.sha256(name.encode() + b"\n\x01" + public_key).digest()[:4].hex() != key_id_hex:
        fail("verifier key id does not match its key")

    # The checkpoint note.
    note = header["checkpoint"]
    body, _, signatures = note.partition("\n\n")
    body += "\n"
    origin, size_text, root_b64 = body.split("\n")[:3]
    tree_size, root = int(size_text), base64.b64decode(root_b64)
    verified = False
    for line in signatures.split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2])
        if blob[:4].hex() != key_id_hex:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(blob[4:], body.encode())
            verified = True
        except Exception:
            pass
    if not verified:
        fail("the checkpoint is not signed by the verifier key")
    if origin != header["origin"]:
        fail("origin mismatch")

    # Fold the leaves onto the prior peaks (a binary counter), then fold the peaks right to left.
    count = header["first_seq"]
    heights = [h for h in range(64, -1, -1) if count >> h & 1]
    peaks = list(zip(heights, (base64.b64decode(p) for p in header["prior_peaks"])))
    if len(peaks) != len(heights):
        fail("prior_peaks do not match first_seq")
    for raw in lines[1:]:
        event = json.loads(raw)
        if event.get("seq") != count:
            fail(f"event #{count} is missing or out of order")
        digest = base64.b64decode(event["pruned"]) if "pruned" in event else leaf(raw)
        carry = (0, digest)
        while peaks and peaks[-1][0] == carry[0]:
            height, left = peaks.pop()
            carry = (height + 1, node(left, carry[1]))
        peaks.append(carry)
        count += 1
    if count != tree_size:
        fail(f"the export holds {count} events but the checkpoint commits to {tree_size}")
    accumulated = peaks[-1][1] if peaks else hashlib.sha256(b"").digest()
    for _, peak in reversed(peaks[:-1]):
        accumulated = node(peak, accumulated)
    if accumulated != root:
        fail("the events do not produce the checkpoint's root hash")
    print(f"OK: {count - header['first_seq']} events verified against the signed checkpoint at size {tree_size} ({origin})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1])
