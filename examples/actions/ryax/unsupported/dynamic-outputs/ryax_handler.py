import csv


def handle(mod_in):
    with open(mod_in["table"], newline="", encoding="utf-8") as file:
        first = next(csv.DictReader(file))
    return dict(first)
