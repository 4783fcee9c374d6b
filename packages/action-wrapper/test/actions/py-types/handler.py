"""Echoes every scalar input; a file comes back upper-cased, a directory with a listing.txt added."""
import os
import shutil


def handle(inputs, context):
    outputs = dict(inputs)
    if "file" in inputs:
        upper = os.path.join(context.workdir, "upper-" + os.path.basename(inputs["file"]))
        with open(inputs["file"], encoding="utf-8") as source, open(upper, "w", encoding="utf-8") as target:
            target.write(source.read().upper())
        outputs["file"] = upper
    if "dir" in inputs:
        copy = os.path.join(context.workdir, "dir-out")
        shutil.copytree(inputs["dir"], copy)
        names = sorted(
            os.path.relpath(os.path.join(root, name), inputs["dir"])
            for root, dirs, files in os.walk(inputs["dir"])
            for name in dirs + files
        )
        with open(os.path.join(copy, "listing.txt"), "w", encoding="utf-8") as listing:
            listing.write("\n".join(names))
        outputs["dir"] = copy
    return outputs
