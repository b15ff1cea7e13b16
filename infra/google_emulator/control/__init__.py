"""The control API under `/_emulator/`: what tests and people use to set the scene and to look behind it.

The routes of design.md's "Local stack contract" are fixed (scripts outside the project call them); the
rest are documented in README.md.
"""

from google_emulator.control import mailboxes, observe, push, scene
from google_emulator.control.routing import handle

__all__ = ["handle", "mailboxes", "observe", "push", "scene"]
