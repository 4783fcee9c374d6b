import re
from collections import Counter


def handle(mod_in):
    # A file input is a local path: Ryax (and Trellis) downloaded it before the call.
    with open(mod_in["document"], encoding="utf-8") as document:
        text = document.read()
    words = re.findall(r"[\w']+", text)
    if mod_in["ignore_case"]:
        words = [word.lower() for word in words]
    words = [word for word in words if len(word) >= mod_in["min_length"]]
    counts = Counter(words)
    top_word = min(counts, key=lambda word: (-counts[word], word)) if counts else ""
    print(f"{len(words)} words, {len(counts)} different")
    return {"lines": len(text.splitlines()), "words": len(words), "top_word": top_word}
