#!/usr/bin/env python3
"""A second implementation of the Korpus lottery (korpus-lottery/2, and /1 for older records),
written from docs/lottery.md alone, in plain Python with no package beyond the standard library.
Korpus's tests draw random inputs with both this and the Rust code and require the same bytes
out, so the page is proven to be enough to re-implement the draw.

Usage:  python3 docs/lottery_reference.py [--explain] < input.json
        python3 docs/lottery_reference.py --below < below.json

input.json: {"algorithm": "korpus-lottery/2", "cohort": 2017, "region": "550000000",
             "weights": [1, 1, 1], "strata": ["region"], "seed": "07 13 22 35 41 44",
             "units": [{"application_id": "...", "stratum": ["550000000"],
                        "members": ["960517450012", ...]}, ...]}
("algorithm" may be left out: korpus-lottery/2; "members" is not read under /1.)

Prints the canonical output text, then "input_sha256 <hex>" and "output_sha256 <hex>" (these two
lines are not part of the output text the output hash is taken of). With --explain, every
intermediate step goes to standard error.

below.json: {"key": "<64 hex digits>", "n": [n1, n2, ...]}: calls below(n) on the stream of that
key once per n, in order, and prints every draw as the page's example shows it.
"""

import hashlib
import json
import struct
import sys
import unicodedata

MASK = 0xFFFFFFFF
ARMS = ["A", "B", "C"]


def rotl(v, c):
    return ((v << c) & MASK) | (v >> (32 - c))


def quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK
    s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK
    s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK
    s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK
    s[b] = rotl(s[b] ^ s[c], 7)


def chacha20_block(key, counter):
    """64 bytes of keystream: constants, key, 64-bit block counter, 64-bit stream number 0."""
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    state += list(struct.unpack("<8I", key))
    state += [counter & MASK, counter >> 32, 0, 0]
    w = list(state)
    for _ in range(10):
        quarter_round(w, 0, 4, 8, 12)
        quarter_round(w, 1, 5, 9, 13)
        quarter_round(w, 2, 6, 10, 14)
        quarter_round(w, 3, 7, 11, 15)
        quarter_round(w, 0, 5, 10, 15)
        quarter_round(w, 1, 6, 11, 12)
        quarter_round(w, 2, 7, 8, 13)
        quarter_round(w, 3, 4, 9, 14)
    return struct.pack("<16I", *[(x + y) & MASK for x, y in zip(w, state)])


class Stream:
    def __init__(self, key, log):
        self.key = key
        self.counter = 0
        self.buffer = b""
        self.log = log

    def next_u64(self):
        if len(self.buffer) < 8:
            self.buffer += chacha20_block(self.key, self.counter)
            self.counter += 1
        x = int.from_bytes(self.buffer[:8], "little")
        self.buffer = self.buffer[8:]
        return x

    def below(self, n):
        rejected = (1 << 64) % n
        while True:
            x = self.next_u64()
            if x < (1 << 64) - rejected:
                self.log(f"    draw {x} -> below({n}) = {x % n}")
                return x % n
            self.log(f"    draw {x} rejected for n = {n}")

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


# Unicode's White_Space property (PropList.txt). Not str.split() with no argument: that also
# splits on U+001C..U+001F, which the page counts as control characters, not white space.
WHITE_SPACE = set("\u0009\u000a\u000b\u000c\u000d\u0020\u0085\u00a0\u1680"
                  "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                  "\u2028\u2029\u202f\u205f\u3000")


def normalise_seed(typed):
    pieces, piece = [], ""
    for ch in typed:
        if ch in WHITE_SPACE:
            if piece:
                pieces.append(piece)
            piece = ""
        else:
            piece += ch
    if piece:
        pieces.append(piece)
    seed = " ".join(pieces)
    if not seed:
        sys.exit("the seed is empty")
    if len(seed) > 200:  # code points: a Python str counts them
        sys.exit("the seed is over 200 characters")
    if any(unicodedata.category(ch) == "Cc" for ch in seed):
        sys.exit("the seed holds a control character")
    return seed


def below_example():
    data = json.load(sys.stdin)
    key = bytes.fromhex(data["key"])
    stream = Stream(key, print)
    for n in data["n"]:
        print(f"below({n}): 2^64 mod {n} = {(1 << 64) % n}, draws from {(1 << 64) - (1 << 64) % n} on are rejected")
        stream.below(n)


def main():
    if "--below" in sys.argv[1:]:
        below_example()
        return
    explain = "--explain" in sys.argv[1:]

    def log(line):
        if explain:
            print(line, file=sys.stderr)

    data = json.load(sys.stdin)
    algorithm = data.get("algorithm", "korpus-lottery/2")
    if algorithm not in ("korpus-lottery/1", "korpus-lottery/2"):
        sys.exit(f"unknown algorithm {algorithm}")
    weights = data["weights"]
    strata = data["strata"]
    seed = normalise_seed(data["seed"])
    units = sorted(data["units"], key=lambda u: (u["stratum"], u["application_id"]))

    text = algorithm + "\n"
    text += f"cohort\t{data['cohort']}\n"
    text += f"region\t{data['region']}\n"
    text += "weights\t" + "\t".join(str(w) for w in weights) + "\n"
    text += "strata\t" + "\t".join(strata) + "\n"
    for u in units:
        text += "unit\t" + u["application_id"] + "\t" + "\t".join(u["stratum"]) + "\n"
        if algorithm == "korpus-lottery/2":
            text += "members\t" + "\t".join(sorted(u["members"])) + "\n"
    input_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    key = hashlib.sha256((text + f"seed\t{seed}\n").encode("utf-8")).digest()
    log(f"canonical input:\n{text}")
    log(f"input_sha256 {input_sha}")
    log(f"key {key.hex()}")

    stream = Stream(key, log)
    arms = {}
    total = sum(weights)
    start = 0
    while start < len(units):
        stratum = units[start]["stratum"]
        end = start
        while end < len(units) and units[end]["stratum"] == stratum:
            end += 1
        n = end - start
        log(f"stratum {'/'.join(stratum)}: {n} groups")
        tie_order = list(ARMS)
        log("  tie order:")
        stream.shuffle(tie_order)
        log(f"  tie order is {' '.join(tie_order)}")
        order = [u["application_id"] for u in units[start:end]]
        log("  shuffle:")
        stream.shuffle(order)
        log("  shuffled order: " + " ".join(order))
        quotas = {arm: n * weights[k] // total for k, arm in enumerate(ARMS)}
        remainders = {arm: n * weights[k] % total for k, arm in enumerate(ARMS)}
        left = n - sum(quotas.values())
        ranked = sorted(ARMS, key=lambda arm: (-remainders[arm], tie_order.index(arm)))
        for arm in ranked[:left]:
            quotas[arm] += 1
        log(f"  quotas A {quotas['A']}, B {quotas['B']}, C {quotas['C']}")
        position = 0
        for arm in ARMS:
            for application_id in order[position:position + quotas[arm]]:
                arms[application_id] = arm
                log(f"  {application_id} -> {arm}")
            position += quotas[arm]
        start = end

    output = "".join(f"assignment\t{u['application_id']}\t{arms[u['application_id']]}\n" for u in units)
    sys.stdout.write(output)
    print(f"input_sha256 {input_sha}")
    print(f"output_sha256 {hashlib.sha256(output.encode('utf-8')).hexdigest()}")


if __name__ == "__main__":
    main()
