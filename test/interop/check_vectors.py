"""Checks test/vectors/tokens.json from Python, independently of the TypeScript code.

Run with /usr/bin/python3 (Debian python3-jwt, python3-cryptography):
    python3 test/interop/check_vectors.py [path/to/tokens.json]
Prints one line per vector and exits 1 if any check fails. It re-derives the documented
values (kid, HKDF encryption key) with Python's own libraries, so a Python service can read
and write the same tokens.
"""

import base64
import hashlib
import hmac
import json
import os
import sys

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def derive_kid(secret):
    return b64url_encode(hmac.new(secret, b"microdot-ts kid", hashlib.sha256).digest())[:8]


def derive_enc_key(secret):
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"",
        info=b"microdot-ts session encryption v1",
    )
    return hkdf.derive(secret)


def check_jws(vector):
    secret = vector["secret"].encode("utf-8")
    headers = None
    if "kid" in vector:
        assert derive_kid(secret) == vector["kid"], "kid derivation differs"
        headers = {"kid": vector["kid"]}
        header = json.loads(b64url_decode(vector["token"].split(".")[0]))
        assert header == {"alg": "HS256", "kid": vector["kid"], "typ": "JWT"}, header
    # The vectors are fixed, so their exp is in the past: check everything else.
    payload = jwt.decode(
        vector["token"], secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert payload == vector["payload"], "decoded payload differs"
    token = jwt.encode(vector["payload"], secret, algorithm="HS256", headers=headers)
    assert token == vector["token"], "PyJWT encodes another token: %s" % token


def check_jwe(vector):
    secret = vector["secret"].encode("utf-8")
    assert derive_kid(secret) == vector["kid"], "kid derivation differs"
    parts = vector["token"].split(".")
    assert len(parts) == 5 and parts[1] == "", "not a dir JWE"
    header = json.loads(b64url_decode(parts[0]))
    assert header == {"alg": "dir", "enc": "A256GCM", "kid": vector["kid"]}, header
    iv, ciphertext, tag = (b64url_decode(p) for p in parts[2:])
    assert len(iv) == 12 and len(tag) == 16, "IV or tag size"
    plaintext = AESGCM(derive_enc_key(secret)).decrypt(
        iv, ciphertext + tag, parts[0].encode("ascii")
    )
    assert json.loads(plaintext.decode("utf-8")) == vector["payload"], "payload differs"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "vectors", "tokens.json")
    with open(path, encoding="utf-8") as f:
        vectors = json.load(f)
    failures = 0
    count = 0
    for kind, check in (("jws", check_jws), ("jwe", check_jwe)):
        for vector in vectors[kind]:
            count += 1
            try:
                check(vector)
                print("ok   %s: %s" % (kind, vector["description"]))
            except Exception as error:  # report every vector, then fail
                failures += 1
                print("FAIL %s: %s: %r" % (kind, vector["description"], error))
    print("%d vectors, %d failed" % (count, failures))
    sys.exit(1 if failures or count == 0 else 0)


if __name__ == "__main__":
    main()
