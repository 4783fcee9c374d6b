import random


def handle(mod_in):
    samples = mod_in["samples"]
    inside = sum(1 for _ in range(samples) if random.random() ** 2 + random.random() ** 2 <= 1)
    return {"pi": 4 * inside / samples}
