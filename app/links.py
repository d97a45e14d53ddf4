"""The address printed on what outlives a request: a certificate's verification link and QR
code, a label's QR code. It comes from configuration (TAGTRAIL_PUBLIC_URL), or from a request
whose host the configuration trusts (TRUSTED_HOSTS, which Flask enforces on every request);
never from a Host header alone, which any client writes as it likes."""
from flask import current_app, has_request_context, request

from app.errors import DomainError

PLACEHOLDER = "http://localhost"  # development with neither configured


class NoPublicAddress(DomainError):
    code = "no_public_address"


def public_base() -> str:
    """The scheme and host permanent links start with, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context() and current_app.config.get("TRUSTED_HOSTS"):
        return request.host_url.rstrip("/")
    if current_app.config["ENV_NAME"] == "production":
        raise NoPublicAddress("This server does not know the address phones and people reach it "
                              "by, which certificates and labels print: set TAGTRAIL_PUBLIC_URL "
                              "(or TRUSTED_HOSTS).", {"config": "TAGTRAIL_PUBLIC_URL"})
    return PLACEHOLDER
