"""Agents that send real transactions: oracle feeder, LPs, arbitrageur, attacker, keepers, borrowers.

Each agent turns what it can see (the step's context) into ``TxRequest``s; the step
loop sends them as one JSON-RPC batch. No agent talks to the chain itself.
"""
