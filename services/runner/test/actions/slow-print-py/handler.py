import time


def handle(inputs, context):
    print("first", context.attempt)
    time.sleep(inputs["ms"] / 1000)
    print("second", context.attempt)
    return {"done": True}
