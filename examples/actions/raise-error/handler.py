from trellis_runtime import ActionError


def handle(inputs, context):
    raise ActionError(inputs["message"], inputs["code"])
