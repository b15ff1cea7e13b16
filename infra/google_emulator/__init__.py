"""A local Google for tests and demos: OAuth 2.0 endpoints and the Gmail API, answering like Google does.

from google_emulator import Emulator
emu = Emulator.start(host="127.0.0.1", port=0)
...  # point google-auth / googleapiclient at emu.url
emu.stop()
"""

from google_emulator.server import Emulator

__all__ = ["Emulator"]
