"""PyJWT side of the interop tests (run with /usr/bin/python3, Debian python3-jwt).

Reads a JSON array of requests on stdin and writes a JSON array of results on stdout,
one per request, so that a test needs a single process for many tokens:

  {"op": "encode", "key": <base64url secret>, "payload": {...}, "kid": <str, optional>}
      -> {"token": "..."}   (jwt.encode(..., algorithm="HS256", headers={"kid": kid}))
  {"op": "decode", "key": <base64url secret>, "token": "..."}
      -> {"payload": {...}} or {"error": "<PyJWT exception class>"}
"""

import base64
import json
import sys

import jwt


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def run(request):
    key = b64url_decode(request["key"])
    if request["op"] == "encode":
        headers = {"kid": request["kid"]} if "kid" in request else None
        token = jwt.encode(request["payload"], key, algorithm="HS256", headers=headers)
        return {"token": token}
    if request["op"] == "decode":
        try:
            payload = jwt.decode(request["token"], key, algorithms=["HS256"])
        except jwt.exceptions.PyJWTError as error:
            return {"error": type(error).__name__}
        return {"payload": payload}
    raise ValueError("unknown op: %r" % request["op"])


def main():
    requests = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    results = [run(request) for request in requests]
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
