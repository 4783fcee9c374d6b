from ryax_wrapper import RyaxSourceProtocol  # the import path of Ryax's older documentation


async def run(service: RyaxSourceProtocol, input_values: dict):
    message = input_values["message"]
    await service.create_run({"message": message, "length": len(message)})
    # Returning ends the trigger: there will be no other run.
