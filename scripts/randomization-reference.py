#!/usr/bin/env python3
"""Independent reference for JourneyLab's randomization algorithms (see BlockSequence.swift, HashAssignment.swift).

Prints the golden values pinned in Tests/JourneyLabTests/SchedulerSequenceTests.swift:
    python3 scripts/randomization-reference.py
Anyone auditing a hypothesis can regenerate its list with block_sequence(seed, stratum, weights, n).
"""
import hashlib

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self, bound):
        threshold = (1 << 64) % bound
        while True:
            x = self.next()
            if x >= threshold:
                return x % bound


def block_sequence(seed, stratum, weights, n):
    """The first n arm indexes of the stratum's permuted-block sequence (journeylab-block-v1)."""
    digest = hashlib.sha256(f"{seed}".encode() + b"\0" + stratum.encode()).digest()
    rng = SplitMix64(int.from_bytes(digest[:8], "big"))
    out = []
    while len(out) < n:
        m = 1 + rng.uniform(3)
        block = [i for i, w in enumerate(weights) for _ in range(m * w)]
        for k in range(len(block) - 1, 0, -1):
            j = rng.uniform(k + 1)
            block[k], block[j] = block[j], block[k]
        out.extend(block)
    return out[:n]


def hash_arm(deal_id, key, seed, weights):
    """The arm index of a deal under the hash method (journeylab-hash-v1)."""
    digest = hashlib.sha256(f"{key}:{seed}".encode() + b"\0" + deal_id.encode()).digest()
    u = int.from_bytes(digest[:8], "big")
    point = (u * sum(weights)) >> 64
    cumulative = 0
    for i, w in enumerate(weights):
        cumulative += w
        if point < cumulative:
            return i
    return len(weights) - 1


if __name__ == "__main__":
    print("block 42 dealer-1 [1,1]:", block_sequence(42, "dealer-1", [1, 1], 24))
    print("block -7 (none) [1,4]:", block_sequence(-7, "(none)", [1, 4], 30))
    print("block 9223372036854775807 all [2,1,1]:", block_sequence(9223372036854775807, "all", [2, 1, 1], 16))
    print("hash h 42 [1,1] D-0..D-15:", [hash_arm(f"D-{i}", "h", 42, [1, 1]) for i in range(16)])
    print("hash h 42 [1,4] D-0..D-15:", [hash_arm(f"D-{i}", "h", 42, [1, 4]) for i in range(16)])
