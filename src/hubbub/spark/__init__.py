"""The pipeline on Apache Spark: the same Python functions over Arrow batches (mapInArrow).

    import hubbub.spark
    report = hubbub.spark.run("lake/", topics="topics.yaml", inputs=["hubbub.landing"],
                              master="local[2]")

PySpark is an optional dependency (`pip install 'hubbub[spark]'`, plus Java 17); nothing here
imports it until a job runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from hubbub.errors import HubbubError
from hubbub.importer import ImportOptions
from hubbub.lake.topics_file import TopicSpec, load_topics_file

if TYPE_CHECKING:
    from hubbub.spark.job import SparkRunReport


def run(
    lake: str | Path,
    *,
    topics: str | Path | Sequence[TopicSpec],
    inputs: Sequence[str | Path],
    master: str | None = None,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> SparkRunReport:
    """Run `hubbub spark run`: read `inputs`, normalize, dedupe, enrich (fast), match `topics`
    (a topics file or TopicSpecs) and write posts and matches to the lake at `lake`."""
    from hubbub.spark.job import check_inputs, run_job, spark_session

    specs = load_topics_file(topics) if isinstance(topics, str | Path) else list(topics)
    options = ImportOptions(format=format, mapping=dict(mapping or {}), platform=platform)
    paths = [str(p) for p in inputs]
    check_inputs(paths)  # before the JVM starts: a bad path fails in a moment, not in seconds
    session = spark_session(master)
    try:
        return run_job(session, str(lake), specs, paths, options)
    except Exception as exc:
        if isinstance(exc, ConnectionError) or type(exc).__module__.startswith(("py4j", "pyspark")):
            raise HubbubError(
                f"the Spark job failed ({type(exc).__name__}): {_first_line(exc)}",
                "Spark's log above says why; a worker out of memory needs smaller input files"
                " or more memory (spark-submit --driver-memory 4g, or --executor-memory)",
            ) from None
        raise


def _first_line(exc: BaseException) -> str:
    try:  # a Java exception whose JVM has gone cannot always print itself
        text = str(exc)
    except Exception:
        return "(no message: the JVM may have stopped)"
    return text.strip().splitlines()[0][:300] if text.strip() else "(no message)"


__all__ = ["TopicSpec", "load_topics_file", "run"]
