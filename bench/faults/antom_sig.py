"""Antom's open-API signatures as docs/API.md "Signing" describes them, for the fault
check's load generator and notification receiver: RSA PKCS#1 v1.5 with SHA-256 over
`POST <path>\n<Client-Id>.<time>.<body>`, base64, URL-encoded."""

import base64
from urllib.parse import quote, unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def load_private_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def load_public_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def signed_content(path, client_id, time, body):
    return b"POST " + path.encode() + b"\n" + client_id.encode() + b"." + time.encode() + b"." + body


def sign_header(key, path, client_id, time, body):
    sig = key.sign(signed_content(path, client_id, time, body), padding.PKCS1v15(), hashes.SHA256())
    return "algorithm=RSA256,keyVersion=1,signature=" + quote(base64.b64encode(sig).decode(), safe="")


def verify(public_key, header, path, client_id, time, body):
    """Whether `header` (a Signature header value) signs the content with `public_key`."""
    if not header or not time:
        return False
    parts = dict(p.strip().split("=", 1) for p in header.split(",") if "=" in p)
    if parts.get("algorithm") != "RSA256" or "signature" not in parts:
        return False
    try:
        sig = base64.b64decode(unquote(parts["signature"]))
        public_key.verify(sig, signed_content(path, client_id, time, body), padding.PKCS1v15(), hashes.SHA256())
        return True
    except (InvalidSignature, ValueError):
        return False
