from dataclasses import dataclass

COUNTRIES = {
    "DE": ("Germany", "Berlin"),
    "ES": ("Spain", "Madrid"),
    "FR": ("France", "Paris"),
    "IT": ("Italy", "Rome"),
    "JP": ("Japan", "Tokyo"),
}


# As Ryax's documentation writes it: the names RyaxException, message and code must be exact.
# Behind an HTTP trigger, the code becomes the HTTP status of the answer.
@dataclass
class RyaxException(Exception):
    message: str
    code: int


def handle(mod_in):
    code = mod_in["code"].strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise RyaxException(message=f"{mod_in['code']!r} is not a two-letter country code", code=400)
    if code not in COUNTRIES:
        raise RyaxException(message=f"no country has the code {code}", code=404)
    name, capital = COUNTRIES[code]
    return {"name": name, "capital": capital}
