"""Analytics: answers computed from the store. One module per metric family.

Metric definitions (also stated in the README and in every API response):

- Volume: matched posts per bucket (hour, day, week) in the user's time zone.
- Engagement = likes + replies + reposts + quotes (missing counts as 0). Views are separate.
- Potential reach = sum of author followers over the posts: an estimate, an upper bound of
  people who could have seen them, not people who did.
- Net sentiment = (positive - negative) / (positive + negative) x 100.
- Share of voice of topic T in group S = mentions(T) / sum of mentions(S) x 100; also by engagement.
- Spike: a bucket well above its expected value (robust trailing median and MAD, hour-of-week
  seasonality once three weeks of history exist), with its score and what explains it.
"""

from hubbub.analytics.scope import Scope
from hubbub.analytics.spikes import Spike, detect_spikes, find_spikes

__all__ = ["Scope", "Spike", "detect_spikes", "find_spikes"]
