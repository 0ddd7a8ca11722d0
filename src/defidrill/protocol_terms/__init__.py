"""A lending protocol's terms in its own units: pure, so the pure layers can use them without the chain side.

What lives here is arithmetic and typed data, never a contract or a connection:

* :mod:`~defidrill.protocol_terms.parameters`: what a protocol is set up with (assets, collateral
  parameters, oracle rules, rate model), in raw units, basis points and wad; ``deploy`` builds it.
* :mod:`~defidrill.protocol_terms.amounts`: human numbers (USD, whole tokens) to raw token units
  and feed answers and back, the rounding named.
* :mod:`~defidrill.protocol_terms.fixed_point`: wad and basis points, and integer division with
  its rounding in each name (``div_up``, ``mul_wad_down``, ``percent_mul_half_up``).

Why a package of its own beside ``protocol/`` and not inside it: ``protocol/`` is the chain side
(deploying and attaching contracts), while the drill's oracle model (``drill/``) and the run
folder's reader compute with these same terms and must not import the chain. Named
``protocol_terms`` so that it sits next to ``protocol/`` in a listing and says what it holds. The
translation of a drill file into these terms is :mod:`defidrill.drill.protocol_spec`.
"""
