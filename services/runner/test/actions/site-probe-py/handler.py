def handle(inputs, context):
    return {"result": {"idempotencyKey": context.idempotency_key, "attempt": context.attempt, "text": inputs["text"]}}
