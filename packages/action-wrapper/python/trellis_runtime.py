"""The Python side of the Trellis action wrapper.

Started once per wrapper as `python3 -u trellis_runtime.py <action-folder> <handler-file>`, it
loads the handler and serves executions, one at a time, over a framed protocol on its
stdin/stdout: each frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.

  wrapper -> child  {"type": "run"|"listen", "id": n, "executionId": s, "idempotencyKey": s, "attempt": n,
                    "inputs": {...}, "workdir": s, "lastEvent": {...} or null (listen only)}
                    {"type": "tail", "id": n}   (someone follows run n: send its output as written)
                    {"type": "emitted", "id": n, "seq": k, "ok": true}   (emit k of listen n was accepted)
                    {"type": "emitted", "id": n, "seq": k, "ok": false, "error": {"code", "message"}}
  child -> wrapper  {"type": "ready", "functions": [...]} once, or {"type": "load_error", ...}
                    {"type": "emit", "id": n, "seq": k, "outputs": {...}, <logs>}   (triggers, once per new run)
                    {"type": "result", "id": n, "ok": true, "outputs": {...}, <logs>}
                    {"type": "result", "id": n, "ok": false, "error": {"code", "message", "stack"}, <logs>}
                    {"type": "log", "id": n, "stdout" or "stderr": text}   (a followed run, per line)
  <logs> = "stdout", "stderr" (bounded text), "stdoutDropped", "stderrDropped" (bytes cut)

Each execution's sys.stdout and sys.stderr are redirected to its own bounded buffers, sent with
the result, or line by line in "log" frames once the wrapper sent "tail" for it. Writes to
the file descriptors 1 and 2 themselves (C extensions, subprocesses) go to the wrapper's stderr,
not to the execution: fd 1 is moved away so nothing can corrupt the protocol.

Handlers write `from trellis_runtime import ActionError`; the wrapper also accepts any exception
class named ActionError with a string `code` attribute, and Ryax's RyaxException (any exception
whose class, or a base class, is named RyaxException, with an integer `code`): its code becomes
the string code ("404").

The wrapper describes the action in the environment variable TRELLIS_ACTION_CONFIG (JSON):
  {"format": "trellis"|"ryax", "floatInputs": [names], "outputs": [{"name", "type", "help", "optional"}]}
A Trellis handler is called `handle(inputs, context)` / `run(context, inputs)`; a Ryax one as Ryax
calls it, `handle(mod_in)` / `run(service, input_values)` with `service` a RyaxSourceProtocol
(ryax_execution/ and ryax_wrapper.py, shipped next to this file). Float inputs always arrive as
Python floats (JSON writes 5.0 as 5).
Only the standard library is used.
"""

import asyncio
import importlib.util
import inspect
import io
import json
import os
import queue
import struct
import sys
import threading
import traceback

__all__ = ["ActionError", "Context", "EmitError"]


class ActionError(Exception):
    """Raise it to fail a run with a stable code (an HTTP trigger returns it to its caller)."""

    def __init__(self, message, code="error"):
        super().__init__(message)
        self.message = message
        self.code = code


class EmitError(Exception):
    """A trigger's emit that was not accepted: `code` is emit_refused (the run was refused, `message`
    says why), emit_timeout (no answer in time: the run may or may not exist) or emit_cancelled
    (the trigger is being stopped). A trigger reading from a broker does not acknowledge it then."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


# `from trellis_runtime import ActionError` in a handler must give this very class, not a second
# copy of this file imported under its module name.
sys.modules.setdefault("trellis_runtime", sys.modules[__name__])

LOG_LIMIT = int(os.environ.get("TRELLIS_LOG_LIMIT_BYTES", str(1024 * 1024)))
CONFIG = json.loads(os.environ.get("TRELLIS_ACTION_CONFIG") or "{}")
RYAX = CONFIG.get("format") == "ryax"
FLOAT_INPUTS = tuple(CONFIG.get("floatInputs", ()))
MAX_FRAMES = 20
THIS_FILE = os.path.abspath(__file__)


class BoundedText(io.TextIOBase):
    """A text stream that keeps at most LOG_LIMIT bytes and counts the rest.

    Kept text waits for take() (the result frame), unless someone follows the execution: then
    go_live() hands what is kept so far to `sink`, and every line after it as it is completed
    (or at flush()), so the wrapper can forward it at once.
    """

    def __init__(self):
        super().__init__()
        self._parts = []
        self._size = 0
        self._dropped = 0
        self._sink = None
        self._lock = threading.Lock()

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            text = str(text)
        data = text.encode("utf-8", "replace")
        with self._lock:
            room = LOG_LIMIT - self._size
            if len(data) <= room:
                self._parts.append(data)
                self._size += len(data)
            else:
                if room > 0:
                    self._parts.append(data[:room])
                    self._size = LOG_LIMIT
                self._dropped += len(data) - max(room, 0)
            if self._sink is not None and b"\n" in data:
                self._hand_over()
        return len(text)

    def _hand_over(self):
        if self._parts:
            self._sink(b"".join(self._parts).decode("utf-8", "replace"))
            self._parts = []

    def go_live(self, sink):
        with self._lock:
            self._sink = sink
            self._hand_over()

    def flush(self):
        with self._lock:
            if self._sink is not None:
                self._hand_over()

    def take(self):
        with self._lock:
            text = b"".join(self._parts).decode("utf-8", "replace")
            dropped = self._dropped
            self._parts, self._size, self._dropped = [], 0, 0
        return text, dropped


class Context:
    """What a handler gets besides its inputs."""

    def __init__(self, execution_id, workdir, emit=None, idempotency_key="", attempt=0, last_event=None):
        self.execution_id = execution_id
        # Triggers: the outputs of the newest event the runner accepted before this start (None
        # at first), so a polling trigger resumes from its cursor.
        self.last_event = last_event
        # The same for every attempt of one step of a run: deduplicate side effects by it.
        self.idempotency_key = idempotency_key
        # 1 for the first attempt (0 when the caller did not say).
        self.attempt = attempt
        self._workdir = workdir
        self._emit = emit

    @property
    def workdir(self):
        """A folder of this execution's own, made the first time a handler asks for it."""
        os.makedirs(self._workdir, exist_ok=True)
        return self._workdir

    def log(self, *args):
        print(*args)

    def emit(self, outputs):
        """Triggers: start a new run with these outputs.

        Returns once the runner has durably accepted the run, and raises EmitError when it was
        refused, not acknowledged in time, or the trigger is stopping. Called inside a running
        event loop (an `async def run`), it returns an awaitable instead, which does the same
        when awaited (the event is sent at once, awaited or not).
        """
        if self._emit is None:
            raise RuntimeError("emit() is only available to triggers")
        return self._emit(outputs)


_out = None
_out_lock = threading.Lock()


def send(message):
    data = json.dumps(message, allow_nan=False).encode("utf-8")
    with _out_lock:
        _out.write(struct.pack(">I", len(data)) + data)
        _out.flush()


def read_exactly(stream, n):
    chunks = []
    while n > 0:
        chunk = stream.read(n)
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(stream):
    header = read_exactly(stream, 4)
    if header is None:
        return None
    (length,) = struct.unpack(">I", header)
    body = read_exactly(stream, length)
    return None if body is None else json.loads(body.decode("utf-8"))


def trimmed_stack(error):
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if os.path.abspath(f.filename) != THIS_FILE
        and os.sep + "asyncio" + os.sep not in f.filename
        and not f.filename.startswith("<frozen ")
    ]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames[-MAX_FRAMES:])
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip("\n")


def failure_of(error):
    code = getattr(error, "code", None)
    message = getattr(error, "message", None)
    message = message if isinstance(message, str) else str(error)
    if type(error).__name__ == "ActionError" and isinstance(code, str):
        return {"code": code, "message": message, "stack": ""}
    if type(code) is int and any(cls.__name__ == "RyaxException" for cls in type(error).__mro__):
        return {"code": str(code), "message": message, "stack": ""}
    message = str(error) or type(error).__name__
    return {"code": "error", "message": f"{type(error).__name__}: {message}" if str(error) else message, "stack": trimmed_stack(error)}


def call(fn, *args):
    result = fn(*args)
    if inspect.isawaitable(result):

        async def wait():
            return await result

        result = asyncio.run(wait())
    return result


def logs_of(out, err):
    stdout, stdout_dropped = out.take()
    stderr, stderr_dropped = err.take()
    return {"stdout": stdout, "stderr": stderr, "stdoutDropped": stdout_dropped, "stderrDropped": stderr_dropped}


class _Created:
    """What a Ryax trigger's create_run returns: the run is already created, awaiting is optional."""

    __slots__ = ()

    def __await__(self):
        return iter(())


_ryax_source_class = None


def ryax_source(emit, emit_error):
    """The `service` a Ryax trigger's run(service, input_values) receives."""
    global _ryax_source_class
    if _ryax_source_class is None:
        # Imported on first use, by the name handlers import it under: one class for both.
        from ryax_execution.ryax_source_protocol import RyaxSourceProtocol

        class TrellisRyaxSource(RyaxSourceProtocol):
            def __init__(self, emit, emit_error):
                self._emit = emit
                self._emit_error = emit_error

            # A plain function returning an awaitable, so that `await service.create_run(...)`
            # and a forgotten await (as in an example of Ryax's docs) both create the run.
            def create_run(self, data, running_time=0.001, status=None):
                if getattr(status, "name", status) == "ERROR":
                    self._emit_error({"code": "error", "message": "the trigger created a run with status ERROR", "stack": ""})
                else:
                    self._emit(data)
                return _Created()

            def get_output_definitions(self):
                return {io["name"]: dict(io) for io in CONFIG.get("outputs", [])}

        _ryax_source_class = TrellisRyaxSource
    return _ryax_source_class(emit, emit_error)


# Which execution runs now, and the ids the wrapper asked to follow before theirs started.
_tail_lock = threading.Lock()
_current = None
_tailed = set()


# Emits waiting for the wrapper's answer ("emitted" frames, read on the reader thread), by (listen id, seq).
_emits_lock = threading.Lock()
_emits_waiting = {}


def settled_emit(message):
    with _emits_lock:
        callback = _emits_waiting.pop((message.get("id"), message.get("seq")), None)
    if callback is not None:
        callback(message)


def emit_error_of(answer):
    error = answer.get("error") or {}
    return EmitError(error.get("code", "emit_refused"), error.get("message", "the run was not accepted"))


def make_emit(request_id, out, err, wait=True):
    """A listen's emit: the event is sent at once; the caller blocks (or awaits) until it is answered.

    `wait` False (a Ryax trigger's create_run, which Ryax never made wait): sent, not waited for.
    """
    seq = [0]

    def emit(outputs):
        seq[0] += 1
        key = (request_id, seq[0])
        if not wait:
            send({"type": "emit", "id": key[0], "seq": key[1], "outputs": outputs, **logs_of(out, err)})
            return None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            answered = threading.Event()
            box = {}

            def wake(answer):
                box.update(answer)
                answered.set()

            register(key, wake)
            send_emit(key, outputs, out, err)
            answered.wait()
            if not box.get("ok"):
                raise emit_error_of(box)
            return None
        future = loop.create_future()

        def settle(answer):
            if future.done():
                return
            if answer.get("ok"):
                future.set_result(None)
            else:
                future.set_exception(emit_error_of(answer))

        register(key, lambda answer: loop.call_soon_threadsafe(settle, answer))
        send_emit(key, outputs, out, err)
        # A trigger that never awaits it is not warned about an exception it did not retrieve.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        return future

    return emit


def register(key, callback):
    with _emits_lock:
        _emits_waiting[key] = callback


def send_emit(key, outputs, out, err):
    try:
        send({"type": "emit", "id": key[0], "seq": key[1], "outputs": outputs, **logs_of(out, err)})
    except BaseException:
        with _emits_lock:
            _emits_waiting.pop(key, None)
        raise


def go_live(request_id, out, err):
    out.go_live(lambda text: send({"type": "log", "id": request_id, "stdout": text}))
    err.go_live(lambda text: send({"type": "log", "id": request_id, "stderr": text}))


def tail(request_id):
    """Someone follows execution `request_id`: its output is sent as written from now on."""
    with _tail_lock:
        current = _current
        if current is None or current[0] != request_id:
            _tailed.add(request_id)
            return
    go_live(*current)


def execute(module, message):
    global _current
    out, err = BoundedText(), BoundedText()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    request_id = message["id"]
    with _tail_lock:
        _current = (request_id, out, err)
        followed = request_id in _tailed
        _tailed.discard(request_id)
    if followed:
        go_live(request_id, out, err)
    inputs = message.get("inputs", {})
    for name in FLOAT_INPUTS:
        if type(inputs.get(name)) is int:
            inputs[name] = float(inputs[name])
    try:
        if message["type"] == "listen":

            emit = make_emit(request_id, out, err, wait=not RYAX)

            def emit_error(error):
                send({"type": "emit_error", "id": request_id, "error": error, **logs_of(out, err)})

            if RYAX:
                call(module.run, ryax_source(emit, emit_error), inputs)
            else:
                call(module.run, Context(message.get("executionId", ""), message.get("workdir", ""), emit,
                                         last_event=message.get("lastEvent")), inputs)
            outputs = None
        elif RYAX:
            outputs = call(module.handle, inputs)
        else:
            outputs = call(module.handle, inputs, Context(message.get("executionId", ""), message.get("workdir", ""),
                                                   idempotency_key=message.get("idempotencyKey", ""),
                                                   attempt=message.get("attempt", 0)))
        try:
            reply = {"type": "result", "id": request_id, "ok": True, "outputs": outputs}
            json.dumps(reply, allow_nan=False)
        except (TypeError, ValueError) as error:
            reply = {"type": "result", "id": request_id, "ok": False,
                     "error": {"code": "bad_output", "message": f"the outputs cannot be sent as JSON: {error}", "stack": ""}}
    except Exception as error:  # noqa: BLE001 - every failure of user code becomes a result
        reply = {"type": "result", "id": request_id, "ok": False, "error": failure_of(error)}
    except SystemExit as error:
        reply = {"type": "result", "id": request_id, "ok": False,
                 "error": {"code": "error", "message": f"the handler called sys.exit({error.code!r})", "stack": ""}}
    finally:
        sys.stdout, sys.stderr = saved
        with _tail_lock:
            _current = None
    reply.update(logs_of(out, err))
    send(reply)


def load(folder, handler):
    path = os.path.join(folder, handler)
    name = os.path.splitext(os.path.basename(handler))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main():
    global _out
    if len(sys.argv) != 3:
        sys.stderr.write("usage: trellis_runtime.py <action-folder> <handler-file>\n")
        return 2
    folder, handler = os.path.abspath(sys.argv[1]), sys.argv[2]
    # Frames go out on a private copy of fd 1; fd 1 itself now points at stderr.
    _out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    stdin = sys.stdin.buffer
    sys.path.insert(0, folder)
    sys.path.insert(0, os.path.dirname(THIS_FILE))
    os.chdir(folder)
    try:
        module = load(folder, handler)
    except BaseException as error:  # noqa: BLE001 - reported to the wrapper, which fails to start
        send({"type": "load_error", "message": f"cannot load {handler}: {type(error).__name__}: {error}", "stack": trimmed_stack(error)})
        # Not a normal exit: a thread the handler started while loading would keep it alive.
        sys.stderr.flush()
        os._exit(1)
    functions = [name for name in ("handle", "run") if callable(getattr(module, name, None))]
    send({"type": "ready", "functions": functions})
    # Frames are read beside the executions: a "tail" frame comes while the handler runs.
    requests = queue.SimpleQueue()
    threading.Thread(target=read_frames, args=(stdin, requests), daemon=True).start()
    while True:
        message = requests.get()
        if message is None:
            return 0
        execute(module, message)


def read_frames(stdin, requests):
    try:
        while True:
            message = receive(stdin)
            if message is None:
                return
            if message.get("type") == "tail":
                tail(message.get("id"))
            elif message.get("type") == "emitted":
                settled_emit(message)
            else:
                requests.put(message)
    finally:
        # The end of input (or a frame that cannot be read) stops the main loop: the wrapper restarts us.
        requests.put(None)


if __name__ == "__main__":
    sys.exit(main())
