#!/usr/bin/env python3
"""A second implementation of the Korpus lottery (korpus-lottery/1), written from docs/lottery.md
alone, in plain Python with no package beyond the standard library. Korpus's tests draw random
inputs with both this and the Rust code and require the same bytes out, so the page is proven to
be enough to re-implement the draw.

Usage:  python3 docs/lottery_reference.py [--explain] < input.json

input.json: {"cohort": 2017, "region": "550000000", "weights": [1, 1, 1],
             "strata": ["region"], "seed": "07 13 22 35 41 44",
             "units": [{"application_id": "...", "stratum": ["550000000"]}, ...]}

Prints the canonical output text, then "input_sha256 <hex>" and "output_sha256 <hex>".
With --explain, every intermediate step goes to standard error.
"""

import hashlib
import json
import struct
import sys

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


def normalise_seed(typed):
    return " ".join(typed.split())


def main():
    explain = "--explain" in sys.argv[1:]

    def log(line):
        if explain:
            print(line, file=sys.stderr)

    data = json.load(sys.stdin)
    weights = data["weights"]
    strata = data["strata"]
    seed = normalise_seed(data["seed"])
    units = sorted(data["units"], key=lambda u: (u["stratum"], u["application_id"]))

    text = "korpus-lottery/1\n"
    text += f"cohort\t{data['cohort']}\n"
    text += f"region\t{data['region']}\n"
    text += "weights\t" + "\t".join(str(w) for w in weights) + "\n"
    text += "strata\t" + "\t".join(strata) + "\n"
    for u in units:
        text += "unit\t" + u["application_id"] + "\t" + "\t".join(u["stratum"]) + "\n"
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
