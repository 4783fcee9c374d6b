import asyncio


async def handle(mod_in):
    await asyncio.sleep(0.01)
    print("async", mod_in["text"])
    return {"result": mod_in["text"].upper()}
