"""How the bench starts the Python peer (handler.py here) as Lambda starts a Python function:
awslambdaric's documented entry, `python -m awslambdaric <module>.<function>`, which asks
AWS_LAMBDA_RUNTIME_API for events. bench/run.py spawns it exactly as it spawns the Rust
binary, with `peer_command()` as the argv and `peer_env(function_env(...))` as the environment:

    sys.path.insert(0, str(ROOT / "bench" / "peer"))
    import launch as peer
    peer.ensure_venv(ROOT)
    subprocess.Popen(peer.peer_command(ROOT), env=peer.peer_env(function_env(runtime, home, endpoint)))
"""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HANDLER = "handler.handler"


def peer_dir(root=ROOT):
    return Path(root) / "bench" / "peer"


def peer_python(root=ROOT):
    """The peer venv's interpreter (bench/peer/setup.sh makes the venv)."""
    return Path(root) / ".venv-peer" / "bin" / "python"


def ensure_venv(root=ROOT):
    """Makes or refreshes .venv-peer (a no-op when requirements.txt has not changed); its
    messages go to stderr."""
    subprocess.run([str(peer_dir(root) / "setup.sh")], check=True, stdout=subprocess.DEVNULL)


def peer_command(root=ROOT):
    """The peer's argv: no shell, no wrapper script, so the spawned pid is the interpreter's
    and its CPU time and peak RSS are the peer's own."""
    return [str(peer_python(root)), "-m", "awslambdaric", HANDLER]


def peer_env(base_env, root=ROOT):
    """`base_env` (bench/run.py's function_env) plus what Lambda's Python runtime sets for a
    function: its code's folder on the import path, as LAMBDA_TASK_ROOT and _HANDLER.
    PYTHONDONTWRITEBYTECODE because /var/task is read-only on Lambda: handler.py is compiled
    at each cold start there too (boto3's .pyc files come precompiled, as in the venv).

    botocore does not read SSL_CERT_FILE (it trusts its own bundle, or AWS_CA_BUNDLE): where
    the bench gives the function its stand-in's CA in SSL_CERT_FILE, the peer gets the same
    file as AWS_CA_BUNDLE, boto3's documented setting for it."""
    task_root = str(peer_dir(root))
    env = dict(base_env)
    env.update({
        "PYTHONPATH": task_root,
        "LAMBDA_TASK_ROOT": task_root,
        "_HANDLER": HANDLER,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    if env.get("SSL_CERT_FILE") and not env.get("AWS_CA_BUNDLE"):
        env["AWS_CA_BUNDLE"] = env["SSL_CERT_FILE"]
    # awslambdaric reads this as Lambda Managed Instances' multi-concurrency: never the bench's.
    env.pop("AWS_LAMBDA_MAX_CONCURRENCY", None)
    return env
