"""The whole service on 127.0.0.1 for people and tests: moto, the Google emulator, a front door, pollers, schedule.

Everything is derived from template.yaml so that the local stack cannot drift from what is deployed: the plain
CloudFormation resources go into moto's CloudFormation, the functions' routes, queues and schedules are read from
their SAM events, and the handlers run in this process as the same code Lambda runs. What it serves is written to
``.local/stack.json`` (design.md, "Local stack contract") once every part answers.
"""
