import os
import subprocess
import tempfile


def handle(mod_in):
    thumbnail = os.path.join(tempfile.mkdtemp(), "thumbnail.png")
    subprocess.run(["convert", mod_in["picture"], "-thumbnail", "128x", thumbnail], check=True)
    return {"thumbnail": thumbnail}
