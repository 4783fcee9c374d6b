import time


def run(context, inputs):
    for n in range(inputs["count"]):
        print("tick", n)
        context.emit({"n": n, "label": "%s-%d" % (inputs["prefix"], n)})
        time.sleep(inputs["everyMs"] / 1000)
    if inputs["prefix"] == "fail":
        raise RuntimeError("the source went away")
    while True:
        time.sleep(1)
