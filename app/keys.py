"""Secrets the app signs with. Given in the environment, or (development, LAN trials) made
once per instance and kept in its folder, readable by its owner alone: never a key written in
the source, which every install would share."""
import os
import secrets
from pathlib import Path

from flask import Flask

# Each key: the setting that gives it, and the file an instance keeps its own in. The audit
# key is apart from SECRET_KEY, so that rotating the session key never breaks the chain.
KEYS = {"SECRET_KEY": ("SECRET_KEY", "secret_key"),
        "AUDIT_KEY": ("TAGTRAIL_AUDIT_KEY", "audit_key")}


def configure(app: Flask) -> None:
    """Fill in each key not given: made once per instance in development; production refuses
    to start without it, since every app machine must share it."""
    for name, (setting, file) in KEYS.items():
        if app.config.get(name):
            continue
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError(f"Refusing to start in production without {setting}: set it to "
                               "a long random value, the same on every app machine.")
        app.config[name] = instance_secret(app.instance_path, file)


def instance_secret(folder: str | Path, name: str) -> str:
    """The secret kept in `folder`/`name`, made on first use.

    Several workers may start at once: each writes its own candidate to a temporary file and
    links it into place; the first link wins and everyone reads the winner."""
    path = Path(folder, name)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(temp, path)
        except FileExistsError:
            pass
        finally:
            temp.unlink()
    value = path.read_text().strip()
    if len(value) < 32:
        raise RuntimeError(f"{path} holds no usable secret; delete it to make a new one.")
    return value
