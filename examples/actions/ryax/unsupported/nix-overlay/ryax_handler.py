import subprocess


def handle(mod_in):
    said = subprocess.run(["sayit", mod_in["text"]], check=True, capture_output=True, text=True).stdout
    return {"said": said}
