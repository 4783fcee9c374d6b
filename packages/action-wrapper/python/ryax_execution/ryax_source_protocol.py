"""What a Ryax trigger's `run(service, input_values)` receives as `service`.

Written for Trellis from Ryax's documented interface: a trigger calls
`await service.create_run({...outputs})` once per new run, or `await service.create_run_error()`
to report a failed one. In Trellis each run becomes a `run` event of the wrapper's Listen
stream; a run created with status ERROR becomes an `error` event (the trigger keeps running).
"""

import abc
from enum import Enum
from typing import Any, Dict


class RyaxRunStatus(Enum):
    DONE = 1
    ERROR = 2


class RyaxSourceProtocol(abc.ABC):
    """The interface; Trellis passes an instance of a subclass to `run`."""

    @abc.abstractmethod
    async def create_run(self, data: dict, running_time: float = 0.001, status: RyaxRunStatus = RyaxRunStatus.DONE) -> None:
        """Start a new run of the workflow with `data` as the trigger's outputs."""

    async def create_run_error(self) -> None:
        """Report a run that failed."""
        await self.create_run({}, status=RyaxRunStatus.ERROR)

    def get_output_definitions(self) -> Dict[str, Any]:
        """The trigger's declared outputs, by name."""
        return {}
