#!/usr/bin/env python3
"""Antom's official Python SDK (global-open-sdk-python) against Paydesk's refund API.

Only the SDK's public API makes the calls (DefaultAlipayClient and its request and
response models): it signs the requests and verifies the answers, so a pass means an
unchanged Antom integration works when pointed at Paydesk. One line per check; exits
non-zero at the first mismatch.

The SDK always connects with HTTPS to port 443 of the gateway's host, whatever scheme
and port the gateway URL names. Given a plain http:// gateway (a local server), this
script therefore puts a TLS front on 127.0.0.1:443 that relays the bytes unchanged to
Paydesk, with a throwaway certificate authority that only this process trusts.

Every option can also come from the environment: --client-id is PAYDESK_SDK_CLIENT_ID.
"""

import argparse
import datetime
import ipaddress
import json
import os
import select
import socket
import ssl
import sys
import tempfile
import threading
import uuid
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

from com.alipay.ams.api.default_alipay_client import DefaultAlipayClient
from com.alipay.ams.api.exception.exception import AlipayApiException
from com.alipay.ams.api.model.amount import Amount
from com.alipay.ams.api.model.result_status_type import ResultStatusType
from com.alipay.ams.api.model.transaction_status_type import TransactionStatusType
from com.alipay.ams.api.request.pay.alipay_inquiry_refund_request import (
    AlipayInquiryRefundRequest,
)
from com.alipay.ams.api.request.pay.alipay_refund_request import AlipayRefundRequest
from com.alipay.ams.api.response.pay.alipay_inquiry_refund_response import (
    AlipayInquiryRefundResponse,
)
from com.alipay.ams.api.response.pay.alipay_refund_response import AlipayRefundResponse
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# Minor units refunded by each refund: part of a payment of 100.00 (or 100 JPY and up).
REFUND_MINOR = 1000
# ISO 4217 exponents that differ from 2, for the expected settlement amount.
EXPONENTS = {"JPY": 0, "KRW": 0}


class Mismatch(Exception):
    pass


def expect(what, got, want):
    if got != want:
        raise Mismatch(f"{what}: got {got!r}, expected {want!r}")


def ok(line):
    print(f"ok    {line}", flush=True)


# ---- TLS front ------------------------------------------------------------------------


def write_test_ca(directory):
    """A CA and a certificate for 127.0.0.1 signed by it; returns (ca, cert, key) paths.

    With the key usage and key identifiers that strict verification (the default from
    Python 3.13 on) asks for, so the check does not depend on the Python version.
    """
    now = datetime.datetime.now(datetime.timezone.utc)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))

    def build(subject, issuer, public, signer, ca, extra=()):
        b = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(valid[0])
            .not_valid_after(valid[1])
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        )
        for ext, critical in extra:
            b = b.add_extension(ext, critical=critical)
        return b.sign(signer, hashes.SHA256())

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = build("Paydesk SDK check CA", "Paydesk SDK check CA", ca_key.public_key(), ca_key,
               True, [(x509.KeyUsage(
                   digital_signature=False, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=True,
                   crl_sign=True, encipher_only=False, decipher_only=False), True)])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key())
    san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = build("127.0.0.1", "Paydesk SDK check CA", key.public_key(), ca_key, False,
                 [(san, False), (aki, False)])

    paths = [os.path.join(directory, n) for n in ("ca.pem", "cert.pem", "key.pem")]
    with open(paths[0], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


def start_tls_front(backend, cert, key):
    """Listens on 127.0.0.1:443 and relays each TLS connection's bytes to backend.

    A byte relay, not an HTTP proxy: Paydesk sees the SDK's request exactly as sent (its
    absolute-form request target included) and the SDK sees Paydesk's answer unchanged.
    """
    try:
        listener = socket.create_server(("127.0.0.1", 443))
    except OSError as e:
        raise SystemExit(
            f"error: cannot listen on 127.0.0.1:443 for the SDK ({e}). The SDK only speaks "
            "HTTPS on port 443: free the port, run as root (or lower "
            "net.ipv4.ip_unprivileged_port_start), or pass an https:// --gateway.")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def relay(raw):
        try:
            plain = socket.create_connection(backend, timeout=30)
        except OSError as e:
            # Otherwise the SDK only reports a TLS connection closed early.
            print(f"error: the TLS front cannot reach Paydesk at {backend[0]}:{backend[1]}: "
                  f"{e}", file=sys.stderr)
            raw.close()
            return
        try:
            with plain, context.wrap_socket(raw, server_side=True) as tls:
                while True:
                    # Bytes already decrypted inside the TLS object don't wake select().
                    ready = [tls] if tls.pending() else \
                        select.select([tls, plain], [], [], 30)[0]
                    if not ready:
                        return
                    for src in ready:
                        data = src.recv(65536)
                        if not data:
                            return
                        (plain if src is tls else tls).sendall(data)
        except (OSError, ssl.SSLError):
            return  # the SDK closed the connection, or a failed handshake: its own error

    def accept():
        while True:
            raw, _ = listener.accept()
            threading.Thread(target=relay, args=(raw,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()


def sdk_gateway(gateway, scratch):
    """The gateway URL to give the SDK, starting the TLS front for an http:// one."""
    url = urlsplit(gateway)
    if url.scheme == "https":
        if url.port not in (None, 443):
            raise SystemExit(f"error: the SDK connects to port 443 whatever {gateway!r} says")
        return gateway.rstrip("/")
    if url.scheme != "http" or not url.hostname:
        raise SystemExit(f"error: --gateway must be an http:// or https:// URL, not {gateway!r}")
    ca, cert, key = write_test_ca(scratch)
    start_tls_front((url.hostname, url.port or 80), cert, key)
    # The SDK builds its TLS context with ssl.create_default_context(), which reads the
    # trust store named here when it connects.
    os.environ["SSL_CERT_FILE"] = ca
    os.environ.pop("SSL_CERT_DIR", None)
    return "https://127.0.0.1"


# ---- The checks -----------------------------------------------------------------------


def read_key(path):
    with open(path, encoding="ascii") as f:
        return f.read().strip()


def refund(client, request_id, payment_id, currency):
    req = AlipayRefundRequest()
    req.refund_request_id = request_id
    req.payment_id = payment_id
    req.refund_amount = Amount(currency=currency, value=str(REFUND_MINOR))
    req.refund_reason = "Paydesk SDK check"
    raw = client.execute(req)
    return AlipayRefundResponse(raw), raw


def inquire(client, request_id):
    req = AlipayInquiryRefundRequest()
    req.refund_request_id = request_id
    raw = client.execute(req)
    return AlipayInquiryRefundResponse(raw), raw


def expect_success(what, rsp):
    r = rsp.result
    if r is None or r.result_status != ResultStatusType.S or r.result_code != "SUCCESS":
        got = None if r is None else (r.result_status, r.result_code, r.result_message)
        raise Mismatch(f"{what}: result {got!r}, expected S / SUCCESS")


def check_quote(what, rsp, raw, args):
    """settlementQuote and grossSettlementAmount as the SDK parsed them, against the rate."""
    want = Decimal(args.quote_price)
    quote = rsp.settlement_quote
    if quote is None:
        raise Mismatch(f"{what}: the SDK parsed no settlementQuote")
    expect(f"{what} quoteCurrencyPair", quote.quote_currency_pair,
           f"{args.converted_currency}/{args.settlement_currency}")
    # The SDK keeps what json.loads gives: a float for the JSON number Paydesk sends.
    if not isinstance(quote.quote_price, float):
        raise Mismatch(f"{what}: quotePrice parsed as {type(quote.quote_price).__name__}, "
                       "expected float (a JSON number)")
    expect(f"{what} quotePrice (SDK float)", quote.quote_price, float(want))
    # The wire text keeps every digit of the rate: read it as a Decimal.
    wire = json.loads(raw, parse_float=Decimal)["settlementQuote"]["quotePrice"]
    expect(f"{what} quotePrice (wire, Decimal)", wire, want)

    shift = EXPONENTS.get(args.settlement_currency, 2) - EXPONENTS.get(args.converted_currency, 2)
    gross = (REFUND_MINOR * want * Decimal(10) ** shift).quantize(Decimal(1), ROUND_HALF_UP)
    g = rsp.gross_settlement_amount
    expect(f"{what} grossSettlementAmount",
           None if g is None else (g.currency, g.value),
           (args.settlement_currency, str(gross)))
    return quote.quote_price, g.value


def run(args, gateway):
    key = read_key(args.private_key)
    platform = read_key(args.platform_key)
    client = DefaultAlipayClient(gateway, args.client_id, key, platform)
    run_id = uuid.uuid4().hex[:12]

    # (a) a partial refund, synchronous: S / SUCCESS with a refundId.
    request_id = f"sdk-{run_id}-1"
    first, _ = refund(client, request_id, args.payment, args.currency)
    expect_success("refund", first)
    if not first.refund_id:
        raise Mismatch("refund: no refundId")
    expect("refund refundRequestId", first.refund_request_id, request_id)
    expect("refund paymentId", first.payment_id, args.payment)
    expect("refund refundAmount", (first.refund_amount.currency, first.refund_amount.value),
           (args.currency, str(REFUND_MINOR)))
    ok(f"refund {args.currency} {REFUND_MINOR} of {args.payment}: S / SUCCESS, "
       f"refundId {first.refund_id}")

    # (b) the same refundRequestId again: the same refund, not a second one.
    again, _ = refund(client, request_id, args.payment, args.currency)
    expect_success("repeated refund", again)
    expect("repeated refund refundId", again.refund_id, first.refund_id)
    ok(f"repeated refundRequestId {request_id}: the same refundId")

    # (c) inquiryRefund by refundRequestId.
    found, _ = inquire(client, request_id)
    expect_success("inquiryRefund", found)
    expect("inquiryRefund refundId", found.refund_id, first.refund_id)
    expect("inquiryRefund refundStatus", found.refund_status, TransactionStatusType.SUCCESS)
    ok("inquiryRefund by refundRequestId: refundStatus SUCCESS")

    # (d) a refund in another currency than the merchant settles in, then its inquiry.
    converted_id = f"sdk-{run_id}-2"
    conv, raw = refund(client, converted_id, args.converted_payment, args.converted_currency)
    expect_success("converted refund", conv)
    price, gross = check_quote("converted refund", conv, raw, args)
    ok(f"refund {args.converted_currency} {REFUND_MINOR}: settlementQuote "
       f"{args.converted_currency}/{args.settlement_currency} quotePrice {price!r}, "
       f"grossSettlementAmount {args.settlement_currency} {gross}")
    conv_found, raw = inquire(client, converted_id)
    expect_success("converted inquiryRefund", conv_found)
    check_quote("converted inquiryRefund", conv_found, raw, args)
    ok("inquiryRefund of the converted refund: the same settlementQuote")

    # (e) an answer the SDK cannot verify with the key it holds is refused. The request
    # itself is good (right merchant key), so Paydesk answers, signed with its own key.
    wrong = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong_public = "".join(wrong.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo,
    ).decode().splitlines()[1:-1])
    try:
        inquire(DefaultAlipayClient(gateway, args.client_id, key, wrong_public), request_id)
        raise Mismatch("an answer checked against a wrong Antom public key was accepted")
    except AlipayApiException as e:
        if "verif" not in str(e):
            raise Mismatch(f"wrong Antom public key: expected a verification error, got {e}")
        ok(f"wrong Antom public key: the SDK refuses the answer ({e})")

    # (f) Paydesk checks the SDK's signatures: a request signed with a key it does not
    # know for this client is refused (and the SDK verifies that refusal).
    wrong_private = "".join(wrong.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode().splitlines()[1:-1])
    refused, _ = inquire(DefaultAlipayClient(gateway, args.client_id, wrong_private, platform),
                         request_id)
    r = refused.result
    expect("request signed with a wrong key",
           None if r is None else (r.result_status, r.result_code),
           (ResultStatusType.F, "INVALID_SIGNATURE"))
    ok("request signed with a wrong merchant key: F / INVALID_SIGNATURE")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    def opt(name, help, **kw):
        env = "PAYDESK_SDK_" + name.upper().replace("-", "_")
        p.add_argument(f"--{name}", default=os.environ.get(env), help=f"{help} [{env}]", **kw)

    opt("gateway", "Paydesk's address, e.g. http://127.0.0.1:3000")
    opt("client-id", "the client id `server keys demo` printed")
    opt("private-key", "the merchant's <client id>.private.pkcs1.base64")
    opt("platform-key", "paydesk-platform.public.base64, the SDK's 'Antom public key'")
    opt("payment", "a payment of the merchant in its settlement currency")
    opt("currency", "that payment's currency, e.g. CNY")
    opt("converted-payment", "a payment of the merchant in another currency, refunded "
        "synchronously")
    opt("converted-currency", "that payment's currency, e.g. HKD")
    opt("settlement-currency", "the merchant's settlement currency, e.g. CNY")
    opt("quote-price", "today's exchange rate from the converted to the settlement currency")
    args = p.parse_args()
    missing = [a for a, v in vars(args).items() if not v]
    if missing:
        p.error("missing: " + ", ".join("--" + m.replace("_", "-") for m in missing))
    return args


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="paydesk-sdk-") as scratch:
        gateway = sdk_gateway(args.gateway, scratch)
        try:
            run(args, gateway)
        except Mismatch as e:
            print(f"FAIL  {e}", file=sys.stderr)
            return 1
        except AlipayApiException as e:
            print(f"FAIL  the SDK raised: {e}", file=sys.stderr)
            return 1
        except OSError as e:
            # A key file that can't be read, or a connection Paydesk dropped (the SDK
            # lets http.client's errors through).
            print(f"FAIL  {type(e).__name__}: {e}", file=sys.stderr)
            return 1
    print("all SDK checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
