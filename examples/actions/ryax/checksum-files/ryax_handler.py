import asyncio
import hashlib
import os


def digest(path, algorithm):
    hashed = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(65536), b""):
            hashed.update(block)
    return hashed.hexdigest()


async def handle(mod_in):
    # An async handler is awaited: here the files are hashed in worker threads, four at a time.
    folder = mod_in["folder"]
    paths = sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _dirs, files in os.walk(folder)
        for name in files
    )
    slots = asyncio.Semaphore(4)

    async def one(path):
        async with slots:
            return await asyncio.to_thread(digest, os.path.join(folder, path), mod_in["algorithm"])

    sums = await asyncio.gather(*(one(path) for path in paths))
    lines = "".join(f"{value}  {path}\n" for value, path in zip(sums, paths))
    return {"checksums": lines, "count": len(paths)}
