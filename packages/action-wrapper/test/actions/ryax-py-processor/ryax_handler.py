"""A Ryax processor as Ryax users write them: handle(mod_in), one argument, and their own RyaxException."""
import json
from dataclasses import dataclass


@dataclass
class RyaxException(Exception):
    message: str
    code: int


class UserGone(RyaxException):
    pass


def handle(mod_in: dict) -> dict:
    mode = mod_in["mode"]
    if mode == "echo":
        print("echo", mod_in["text"])
        return {"result": mod_in["text"]}
    if mode == "types":
        # What each input arrived as (the password only by its length: it is a secret).
        seen = {name: [type(value).__name__, value] for name, value in mod_in.items() if name != "token"}
        token = mod_in.get("token")
        seen["token"] = ["str", len(token)] if isinstance(token, str) else [type(token).__name__, None]
        return {"result": json.dumps(seen, sort_keys=True)}
    if mode == "ryax-error":
        raise RyaxException(message="no such user", code=404)
    if mode == "ryax-subclass":
        raise UserGone("the user left", 410)
    if mode == "throw":
        raise ValueError("the widget is broken")
    raise RuntimeError("unknown mode " + mode)
