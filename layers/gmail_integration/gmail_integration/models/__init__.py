"""Data shapes shared by the use cases: commands that arrive, records the service keeps, answers it gives."""
