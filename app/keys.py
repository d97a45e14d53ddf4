"""Secrets the app signs with. Given in the environment, or (development, LAN trials) made
once per instance and kept in its folder, readable by its owner alone: never a key written in
the source, which every install would share."""
import os
import secrets
from pathlib import Path


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
