import os
import tempfile


def handle(mod_in):
    folder = tempfile.mkdtemp(prefix="split-lines-")
    lines = [line for line in mod_in["text"].splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        with open(os.path.join(folder, f"{mod_in['prefix']}-{number:03d}.txt"), "w", encoding="utf-8") as out:
            out.write(line + "\n")
    # A directory output is returned by its path, like a file.
    return {"folder": folder, "count": len(lines)}
