import time


def handle(inputs, context):
    started = time.monotonic()
    time.sleep(inputs["seconds"])
    return {"slept": round(time.monotonic() - started, 3)}
