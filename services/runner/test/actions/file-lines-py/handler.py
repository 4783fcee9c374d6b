import os
import tempfile


def handle(inputs, context):
    with open(inputs["doc"], encoding="utf-8") as source:
        lines = source.read().splitlines()
    out = os.path.join(tempfile.mkdtemp(), "numbered.txt")
    with open(out, "w", encoding="utf-8") as target:
        for number, line in enumerate(lines, start=1):
            target.write(f"{number}: {line}\n")
    return {"lines": len(lines), "numbered": out}
