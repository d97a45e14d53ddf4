"""`flask serve`: run Tagtrail for a trial, on this machine or (--lan) over HTTPS for phones."""
import ipaddress
import socket
import subprocess
import sys
from pathlib import Path

import click
from flask.cli import ScriptInfo, pass_script_info
from werkzeug.serving import run_simple

from app.demo import LOGINS_FILE


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--lan", is_flag=True,
              help="Listen on every address over HTTPS (self-signed) so phones can connect.")
@pass_script_info
def serve(info: ScriptInfo, host: str, port: int, lan: bool):
    """Print the demo logins and the address, then serve the app."""
    app = info.load_app()
    logins = Path(app.instance_path, LOGINS_FILE)
    if logins.exists():
        click.echo(logins.read_text())
    ssl_context = None
    if lan:
        host, address = "0.0.0.0", lan_address()
        ssl_context = certificate(Path(app.instance_path), address)
        url = f"https://{address}:{port}/"
        click.echo(f"On this network: {url}")
        print_qr(url)
        click.echo("The certificate is self-signed: accept the browser's warning on each phone.\n"
                   "The camera then works; offline use (the service worker) needs a "
                   "certificate the phone trusts.")
    else:
        address = lan_address() if host in ("0.0.0.0", "::") else host
        click.echo(f"Tagtrail: http://{address}:{port}/")
    if not (app.config.get("TRUSTED_HOSTS") or app.config.get("PUBLIC_URL")):
        # The addresses printed above, and only those: certificates and labels made during
        # the trial link to them, not to whatever Host header a client sends.
        app.config["TRUSTED_HOSTS"] = [address, "localhost", "127.0.0.1"]
    run_simple(host, port, app, threaded=True, ssl_context=ssl_context)


def lan_address() -> str:
    """This machine's first non-loopback IPv4 address (no packets sent to find it)."""
    candidates = []
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(
            socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    try:
        listing = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"],
                                 capture_output=True, text=True, check=False).stdout
        candidates += [line.split()[3].split("/")[0] for line in listing.splitlines()]
    except OSError:  # no `ip` command
        pass
    for candidate in candidates:
        address = ipaddress.ip_address(candidate)
        if not (address.is_loopback or address.is_link_local):
            return candidate
    raise click.ClickException("Found no LAN address (only loopback). Is the network up?")


def certificate(folder: Path, address: str) -> tuple[str, str]:
    """A self-signed certificate for `address` and localhost, made once (again if the IP moved)."""
    cert, key = folder / "lan-cert.pem", folder / "lan-key.pem"
    if not (cert.exists() and key.exists() and _names(cert, address)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
             "-days", "825", "-keyout", str(key), "-out", str(cert),
             "-subj", "/CN=Tagtrail LAN trial",
             "-addext", f"subjectAltName=IP:{address},IP:127.0.0.1,DNS:localhost",
             "-addext", "basicConstraints=critical,CA:FALSE",
             "-addext", "extendedKeyUsage=serverAuth"],
            check=True, capture_output=True)
        key.chmod(0o600)
    return str(cert), str(key)


def _names(cert: Path, address: str) -> bool:
    text = subprocess.run(["openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
                           str(cert)], capture_output=True, text=True, check=False).stdout
    names = {name.strip() for name in text.replace(",", "\n").splitlines()}
    return f"IP Address:{address}" in names


def print_qr(url: str) -> None:
    import qrcode

    code = qrcode.QRCode(border=2)
    code.add_data(url)
    code.make(fit=True)
    code.print_ascii(out=sys.stdout, invert=True)
