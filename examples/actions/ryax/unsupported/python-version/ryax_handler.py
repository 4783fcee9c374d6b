import platform


def handle(mod_in):
    return {"version": platform.python_version()}
