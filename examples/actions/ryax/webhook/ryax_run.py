import asyncio
import hmac
import json
import os

from ryax_execution.ryax_source_protocol import RyaxSourceProtocol


def answer(writer, status, reason, body):
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {len(data)}\r\nconnection: close\r\n\r\n"
    writer.write(head.encode() + data)


async def run(service: RyaxSourceProtocol, input_values: dict):
    # The platform says where to listen: RYAX_SOURCE_PORT, and the URL prefix the trigger is reached under.
    port = int(os.environ["RYAX_SOURCE_PORT"])
    prefix = input_values["ryax_endpoint_prefix"].rstrip("/")
    token = input_values["token"]

    async def on_request(reader, writer):
        try:
            method, target, _version = (await reader.readline()).decode("latin-1").split(" ", 2)
            headers = {}
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            if method != "POST" or not (target == prefix or target.startswith(prefix + "/")):
                answer(writer, 404, "Not Found", {"error": "POST to " + (prefix or "/")})
            elif token is not None and not hmac.compare_digest(headers.get("x-token", ""), token):
                answer(writer, 401, "Unauthorized", {"error": "wrong or missing X-Token"})
            else:
                await service.create_run({"body": body.decode("utf-8", "replace"), "path": target[len(prefix):] or "/"})
                answer(writer, 202, "Accepted", {"status": "accepted"})
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(on_request, "0.0.0.0", port)
    print(f"listening on port {port} under {prefix or '/'}")
    async with server:
        await server.serve_forever()
