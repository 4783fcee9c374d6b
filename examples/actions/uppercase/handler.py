def handle(inputs, context):
    return {"text": inputs["text"].upper()}
