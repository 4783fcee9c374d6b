# Writes what became of each emit to the journal file (one JSON line each), as the Node one does;
# `mode` async runs the same as an `async def run` awaiting emit; `again` emits once more (n + 100)
# after an emit was cancelled; the process id is noted after the start line.
import asyncio
import json
import os
import time

from trellis_runtime import EmitError


def note(inputs, line):
    with open(inputs["journal"], "a") as journal:
        journal.write(json.dumps(line) + "\n")


def outputs_of(inputs, n):
    return {"n": "not a number"} if n == inputs.get("bad") else {"n": n}


def run(context, inputs):
    if inputs["mode"] == "async":
        return run_async(context, inputs)
    note(inputs, {"start": context.last_event})
    note(inputs, {"pid": os.getpid()})
    for n in range(1, inputs["count"] + 1):
        try:
            context.emit(outputs_of(inputs, n))
            note(inputs, {"n": n, "ok": True})
        except EmitError as error:
            note(inputs, {"n": n, "ok": False, "code": error.code, "message": error.message})
            if error.code == "emit_cancelled" and inputs.get("again"):
                try:
                    context.emit({"n": n + 100})
                    note(inputs, {"n": n + 100, "ok": True})
                except EmitError as again:
                    note(inputs, {"n": n + 100, "ok": False, "code": again.code, "message": again.message})
    while True:
        time.sleep(1)


async def run_async(context, inputs):
    note(inputs, {"start": context.last_event})
    note(inputs, {"pid": os.getpid()})
    for n in range(1, inputs["count"] + 1):
        try:
            await context.emit(outputs_of(inputs, n))
            note(inputs, {"n": n, "ok": True})
        except EmitError as error:
            note(inputs, {"n": n, "ok": False, "code": error.code, "message": error.message})
            if error.code == "emit_cancelled" and inputs.get("again"):
                try:
                    await context.emit({"n": n + 100})
                    note(inputs, {"n": n + 100, "ok": True})
                except EmitError as again:
                    note(inputs, {"n": n + 100, "ok": False, "code": again.code, "message": again.message})
    while True:
        await asyncio.sleep(1)
