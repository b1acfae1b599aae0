"""A driver file for spark-submit, which wants a Python file rather than a module:

    spark-submit --master yarn --py-files hubbub.whl "$(python -m hubbub.spark.driver)" \
        spark run --lake s3a://bucket/lake --topics topics.yaml --input s3a://bucket/landing

Run as a module, it prints its own path; run as a file (by spark-submit), it is `hubbub`.
"""

from __future__ import annotations

import sys


def main() -> None:
    if __spec__ is not None and __spec__.name == "hubbub.spark.driver" and len(sys.argv) == 1:
        print(__file__)  # `python -m hubbub.spark.driver`: where this file is
        return
    from hubbub.cli import main as hubbub_main

    hubbub_main()


if __name__ == "__main__":
    main()
