import math


def handle(mod_in):
    return {"norm": math.hypot(*(float(x) for x in mod_in["vector"].split(",")))}
