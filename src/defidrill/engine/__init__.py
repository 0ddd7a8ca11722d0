"""Drill engine, chain side: world seeding, the step loop, observation, agents, ledger, invariants.

    world = build_world(chain, drill, path)       # deploy or attach, seed the population
    result = run_loop(chain, world, recorder)      # every step: clock, oracles, scan, agents, mine, record

It executes what the pure half (``defidrill.drill``) plans, and reaches a lending
protocol only through its adapter (``defidrill.protocol.adapter.LendingAdapter``).
"""
