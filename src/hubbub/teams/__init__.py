"""Team features over the store: owned-account analytics, creative testing, the support queue.

`hb.owned`, `hb.creative` and `hb.support` (see `facade.py`) mirror `hubbub owned|creative|support`.
"""

from hubbub.teams.facade import Creative, Owned, Support

__all__ = ["Creative", "Owned", "Support"]
