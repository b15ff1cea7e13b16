"""The service's published contracts, generated from the code: the OpenAPI document and the JSON schemas.

Generated rather than written, so that what integrators read and what the handlers do cannot drift apart; the
committed copies under docs/ are compared with a fresh generation by tests/unit/contracts.
"""
