"""The lifecycle core imports no feature domain: domains register their event types with it
(app/events.py), never the other way round."""
import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "app" / "lifecycle"
# What the core may use: itself, the app's plumbing, users and roles, and the register it
# applies events to.
ALLOWED = ("app.lifecycle", "app.errors", "app.extensions", "app.timeutil", "app.memo", "app.api",
           "app.dbtypes", "app.documents", "app.inputs", "app.auth", "app.assets.models",
           "app.assets.search")


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module} if node.module != "app" else {
                f"app.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return {n for n in names if n == "app" or n.startswith("app.")}


def test_the_core_imports_no_feature_domain():
    crossing = {f"{path.name}: {name}" for path in CORE.glob("*.py")
                for name in imported(path) if not name.startswith(ALLOWED)}
    assert crossing == set()
