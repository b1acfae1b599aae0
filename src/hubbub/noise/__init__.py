"""Noise: spam, bots and copy-paste campaigns, scored so analytics can leave them out.

`update_noise(store)` scores every post and author (tables `post_noise`, `author_noise`);
analytics exclude noise by default and include it with `include_noise=True` / `--include-noise`.
"""

from hubbub.noise.signals import NoiseReport, update_noise

__all__ = ["NoiseReport", "update_noise"]
