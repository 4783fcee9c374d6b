import statistics


def handle(mod_in):
    numbers = [float(line) for line in mod_in["numbers"].split()]
    print(f"== {mod_in['title']} ==")
    print(f"count: {len(numbers)}")
    if numbers:
        print(f"min: {min(numbers)}  max: {max(numbers)}  mean: {statistics.fmean(numbers)}")
    # A publisher has no outputs: it returns an empty dict.
    return {}
