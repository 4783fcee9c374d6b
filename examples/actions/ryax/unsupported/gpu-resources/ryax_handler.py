import json


def handle(mod_in):
    a, b = json.loads(mod_in["a"]), json.loads(mod_in["b"])
    product = [[sum(x * y for x, y in zip(row, column)) for column in zip(*b)] for row in a]
    return {"product": json.dumps(product)}
