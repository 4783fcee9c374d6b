from trellis_runtime import ActionError


def handle(inputs, context):
    if inputs["key"] != "open-sesame":
        print("the key does not open it")
        raise ActionError("the key does not open the file", "wrong_key")
    with open(inputs["doc"], encoding="utf-8") as source:
        lines = source.read().splitlines()
    print(f"{inputs['label']}: {len(lines)} lines")
    return {"lines": len(lines)}
