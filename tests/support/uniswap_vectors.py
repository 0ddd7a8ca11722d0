"""Uniswap v2-core's swap test vectors, shared by the AMM contract tests and the agents' math tests.

From test/UniswapV2Pair.spec.ts `swapTestCases`: (amount in, reserve in, reserve out) in whole
18-decimal tokens and the expected output in wei, worked out by Uniswap's authors.
"""

UNISWAP_SPEC_CASES = [
    (1, 5, 10, 1662497915624478906),
    (1, 10, 5, 453305446940074565),
    (2, 5, 10, 2851015155847869602),
    (2, 10, 5, 831248957812239453),
    (1, 10, 10, 906610893880149131),
    (1, 100, 100, 987158034397061298),
    (1, 1000, 1000, 996006981039903216),
]
