import os
import tempfile
import zipfile


def handle(mod_in):
    folder = mod_in["folder"]
    # Outputs are files the handler writes and returns by path; any writable place will do.
    archive = os.path.join(tempfile.mkdtemp(), mod_in["name"] + ".zip")
    count = 0
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for root, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                zipped.write(path, os.path.relpath(path, folder))
                count += 1
    print(f"packed {count} files into {os.path.basename(archive)}")
    return {"archive": archive, "files": count}
