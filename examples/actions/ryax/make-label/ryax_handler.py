def handle(mod_in):
    # An optional input left empty is there, with the value None (not a missing key).
    lines = [mod_in["title"]]
    if mod_in["subtitle"] is not None:
        lines.append(mod_in["subtitle"])
    width = max(len(line) for line in lines)
    rule = "+" + "-" * (width + 2) + "+"
    label = "\n".join([rule, *(f"| {line.ljust(width)} |" for line in lines), rule])
    return {"label": label, "has_subtitle": mod_in["subtitle"] is not None}
