"""A Ryax trigger (source) as Ryax users write them: run(service, input_values), await service.create_run."""
import asyncio
import os

from ryax_execution.ryax_source_protocol import RyaxSourceProtocol
from ryax_wrapper import RyaxSourceProtocol as OlderPath  # the import path of Ryax's older docs


class RyaxException(Exception):
    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


async def serve(service, input_values):
    port = int(os.environ["RYAX_SOURCE_PORT"])
    assert port == input_values["ryax_endpoint_port"], (port, input_values["ryax_endpoint_port"])
    prefix = input_values["ryax_endpoint_prefix"]

    async def answer(reader, writer):
        request_line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        path = request_line.split(" ")[1]
        await service.create_run({"n": port, "label": f"{prefix} {path}"})
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "0.0.0.0", port)
    print("listening on", port)
    async with server:
        await server.serve_forever()


async def run(service: RyaxSourceProtocol, input_values: dict) -> None:
    assert isinstance(service, OlderPath)
    mode = input_values["mode"]
    if mode == "count":
        for n in range(input_values["count"]):
            print("tick", n)
            await service.create_run({"n": n, "label": f"{input_values['prefix']}-{n}"})
        await service.create_run_error()
        # Without await, as an example in Ryax's docs does: the run is created all the same.
        service.create_run({"n": 99, "label": "no await"})
        print("outputs", sorted(service.get_output_definitions()))
        while True:
            await asyncio.sleep(1)
    if mode == "optional":
        await service.create_run({"n": 0, "label": repr(input_values["prefix"]) + " " + type(input_values["ratio"]).__name__})
        return
    if mode == "fail":
        raise RyaxException("the upstream is down", 503)
    if mode == "serve":
        await serve(service, input_values)
