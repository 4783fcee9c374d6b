import asyncio
import json
import os
import sys
import time

from trellis_runtime import ActionError


def deep_in_user_code():
    raise ValueError("the widget is broken")


async def slow_upper(text):
    await asyncio.sleep(0.01)
    print("async", text)
    return {"result": text.upper()}


def handle(inputs, context):
    mode = inputs["mode"]
    if mode == "ok":
        return {"result": "ok"}
    if mode == "echo":
        print("log", inputs["text"])
        print("err", inputs["text"], file=sys.stderr)
        context.log("ctx", inputs["text"], context.execution_id)
        return {"result": inputs["text"]}
    if mode == "action-error":
        raise ActionError("no such customer", "not_found")
    if mode == "throw":
        deep_in_user_code()
    if mode == "hang":
        time.sleep(3600)
    if mode == "pid":
        with open(inputs["text"], "w", encoding="utf-8") as f:
            f.write(str(os.getpid()))
        time.sleep(3600)
    if mode == "log":
        sys.stdout.write("x" * inputs["size"])
        return {"result": "logged"}
    if mode == "bad-output":
        return {"result": 42}
    if mode == "missing":
        return {}
    if mode == "async":
        return slow_upper(inputs["text"])
    if mode == "context":
        return {"result": json.dumps({"idempotencyKey": context.idempotency_key, "attempt": context.attempt, "executionId": context.execution_id})}
    if mode == "tail":
        # A line, a pause of `size` ms, another line: a follower sees the first before the end.
        print("first")
        print("warn", file=sys.stderr)
        time.sleep(inputs["size"] / 1000)
        sys.stdout.write("sec")
        sys.stdout.write("ond\n")
        return {"result": "tailed"}
    if mode == "sleep":
        time.sleep(inputs["size"] / 1000)
        return {"result": "slept %d" % inputs["size"]}
    raise RuntimeError("unknown mode " + mode)
