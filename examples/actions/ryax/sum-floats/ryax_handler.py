def handle(mod_in):
    # Float inputs are Python floats, even whole ones ("2" arrives as 2.0), as in Ryax.
    first, second, weight = mod_in["first"], mod_in["second"], mod_in["weight"]
    total = first + second * weight
    sign = "negative" if total < 0 else "zero" if total == 0 else "positive"
    return {"total": total, "expression": f"{first!r} + {second!r} * {weight!r}", "sign": sign}
