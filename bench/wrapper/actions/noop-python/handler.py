def handle(inputs, context):
    return {"ok": True}
