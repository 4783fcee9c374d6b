import asyncio
import datetime
from typing import Dict

from ryax_execution.ryax_source_protocol import RyaxSourceProtocol


async def run(service: RyaxSourceProtocol, input_values: Dict):
    # max_runs is None when left empty: then the trigger runs until it is stopped.
    max_runs = input_values["max_runs"]
    run_number = 0
    while max_runs is None or run_number < max_runs:
        run_number += 1
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
        await service.create_run({"run_number": run_number, "time": now})
        if max_runs is None or run_number < max_runs:
            await asyncio.sleep(input_values["seconds"])
