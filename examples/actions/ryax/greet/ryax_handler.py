import hmac
from hashlib import sha256

GREETINGS = {"en": "Hello, {}!", "fr": "Bonjour, {} !", "es": "¡Hola, {}!"}


def handle(mod_in):
    greeting = GREETINGS[mod_in["language"]].format(mod_in["name"])
    # Never print the token: it is a secret (a password input, even when it is the default).
    signature = hmac.new(mod_in["token"].encode(), greeting.encode(), sha256).hexdigest()
    print("greeting", mod_in["name"], "in", mod_in["language"])
    return {"greeting": greeting, "signature": signature}
