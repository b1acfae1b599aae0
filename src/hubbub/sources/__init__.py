"""Sources: one module per platform. Each maps raw payloads to Post records.

A platform module defines a `PlatformFormat` (see `base.py`) and registers it in `registry.py`.
Sources never touch the store: they hand Post records to the pipeline.
"""
