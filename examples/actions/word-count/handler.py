def handle(inputs, context):
    # File inputs arrive as local paths; the wrapper downloaded them.
    with open(inputs["document"], encoding="utf-8") as document:
        text = document.read()
    return {
        "lines": len(text.splitlines()),
        "words": len(text.split()),
        "characters": len(text),
    }
