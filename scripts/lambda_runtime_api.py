"""A minimal AWS Lambda Runtime API on loopback, for running the function binary as Lambda
runs it: the benchmark (bench/run.py) and the artifact check (scripts/artifact.py) use it.

It hands out queued events on `next` and records when the first `next` arrived, when each
event was handed over, and each answer (`response` or `error`) with the time it came back.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:lightsail-key-audit-bench"


class RuntimeApi:
    """A minimal Lambda Runtime API on loopback: hands out the queued events and records when
    the first `next` arrived, when each event was handed over and when its answer came back.
    Once the events are used up, `next` blocks: the benchmark then stops the process."""

    def __init__(self, events, function_arn=FUNCTION_ARN, hold=False):
        self.events = list(events)
        self.first_next = None
        # With `hold`, the first `next` waits for `release()`: the bench reads the CPU the init
        # phase used while the function waits, before any event's work starts.
        self.released = threading.Event()
        if not hold:
            self.released.set()
        self.delivered = {}
        self.answered = {}
        self.answers = {}
        self.lock = threading.Lock()
        self.answered_event = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                now = time.perf_counter()
                with api.lock:
                    if api.first_next is None:
                        api.first_next = now
                api.released.wait()
                with api.lock:
                    event = api.events.pop(0) if api.events else None
                    request_id = str(len(api.delivered))
                if event is None:
                    time.sleep(3600)
                    return
                body = json.dumps(event).encode()
                deadline_ms = int((time.time() + 900) * 1000)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline_ms))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn", function_arn)
                self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
                self.end_headers()
                with api.lock:
                    api.delivered[request_id] = time.perf_counter()
                self.wfile.write(body)

            def do_POST(self):
                now = time.perf_counter()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = self.path.strip("/").split("/")
                request_id = parts[3] if len(parts) > 4 else "init"
                with api.lock:
                    api.answered[request_id] = now
                    api.answers[request_id] = (parts[-1], body)
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()
                api.answered_event.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # The function is killed mid-request when a run ends: not an error worth a traceback.
        self.server.handle_error = lambda request, client_address: None
        self.address = "127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def release(self):
        """Lets a held first `next` have its event."""
        self.released.set()

    def wait_for(self, request_id, timeout, exited=lambda: None):
        """The answer to the event handed out as `request_id` (its index, as a string):
        (kind, body) with kind `response` or `error`; None if none came within `timeout` s
        or once `exited()` returns the function process's exit status."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                if request_id in self.answers:
                    return self.answers[request_id]
            if exited() is not None:
                return None
            time.sleep(0.01)
        return None

    def close(self):
        self.server.shutdown()
        self.server.server_close()
