"""`hubbub spark run`: the import pipeline on Apache Spark, writing posts and matches to a lake.

    files (binaryFile) --mapInArrow--> parsed posts --dedupe by id (window)--> one per id
      --mapInArrow--> enriched posts + matched topics --partitionBy--> LAKE/posts, LAKE/matches

Dedupe keeps the record an in-process import keeps: the latest `collected_at`, and on a tie the
one read last (later --input, then later file name, then later line). Both writes use dynamic
partition overwrite: a run replaces the partitions (platform and day) its input touches and
leaves the others alone, so running the same job again leaves exactly the same rows. Spark's
commit protocol keeps a failed task attempt's files out of the output, so a retried task does
not duplicate either.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlparse

import pyarrow as pa

from hubbub.errors import HubbubError
from hubbub.importer import ImportOptions
from hubbub.lake.files import marker_bytes, partition_folder
from hubbub.lake.layout import (
    LAYOUT_VERSION,
    MARKER,
    MATCH_PARTITIONS,
    MATCHES,
    POSTS,
    QUARANTINE,
)
from hubbub.lake.rollups import refresh
from hubbub.lake.topics_file import TopicSpec
from hubbub.spark.stages import (
    ENRICHED_SCHEMA,
    FAULT_ENV,
    ORDER_COLUMNS,
    PARSED_SCHEMA,
    EnrichMatchStage,
    FaultHook,
    ParseStage,
    read_rejections,
    topic_items,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER: Final = "local[*]"
#: The largest input file a run accepts (each is read whole by one task).
MAX_INPUT_FILE_BYTES: Final = 256_000_000
#: Settings the job needs (UTC days, timestamps DuckDB reads as TIMESTAMPTZ, replace-by-partition).
_REQUIRED_CONF: Final = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
}
#: Defaults for a small local session; spark-submit --conf values win over these.
_DEFAULT_CONF: Final = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.adaptive.enabled": "true",
}


@dataclass
class SparkRunReport:
    lake: str
    inputs: list[str]
    topics: int
    posts: int
    matches: int
    seconds: float
    master: str
    #: Input records that could not be parsed, kept in `quarantine` with file, line and reason.
    rejected: int = 0
    quarantine: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def spark_session(master: str | None = None, app_name: str = "hubbub") -> SparkSession:
    """A Spark session for the job (the one spark-submit set up, if any)."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise HubbubError(
            "PySpark is not installed", "pip install 'hubbub[spark]' (and Java 17)"
        ) from None
    conf = SparkConf()
    if master:
        conf.setMaster(master)
    elif not conf.contains("spark.master"):
        conf.setMaster(DEFAULT_MASTER)
    if (conf.get("spark.master") or "").startswith("local"):
        # Local mode: workers are this Python (with hubbub installed), on the loopback address.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    conf.setAppName(app_name)
    for key, value in _DEFAULT_CONF.items():
        conf.setIfMissing(key, value)
    for key, value in _REQUIRED_CONF.items():
        conf.set(key, value)
    try:
        session = SparkSession.builder.config(conf=conf).getOrCreate()
    except Exception as exc:  # py4j / Java start-up failures come in many types
        raise HubbubError(
            f"cannot start Spark ({master or conf.get('spark.master')}): {exc}",
            "Spark needs Java 17 (`java -version`; Debian: apt-get install openjdk-17-jre-headless)",
        ) from None
    for key, value in _REQUIRED_CONF.items():  # an existing session keeps its own settings
        session.conf.set(key, value)
    return session


def run_job(
    spark: SparkSession,
    lake: str,
    topics: Sequence[TopicSpec],
    inputs: Sequence[str],
    options: ImportOptions | None = None,
) -> SparkRunReport:
    """Run the pipeline over `inputs` (files or folders: landing segments, NDJSON, JSON, CSV,
    Parquet; plain, .gz or .zst) and write posts and matches to `lake`."""
    from pyspark import StorageLevel

    started = time.perf_counter()
    check_inputs(inputs)
    lake = lake.rstrip("/")
    _prepare_lake(spark, lake)
    now = datetime.now(UTC)
    quarantine = quarantine_folder(lake, now)
    parse = ParseStage(collected_at=now, options=options or ImportOptions(), quarantine=quarantine)
    enrich_match = EnrichMatchStage(
        topic_items({t.name: t.query for t in topics}), FaultHook(os.environ.get(FAULT_ENV))
    )

    parsed = _read_inputs(spark, inputs).mapInArrow(parse, _spark_schema(PARSED_SCHEMA))
    kept = _by_partition(_latest_per_id(parsed))
    enriched = kept.mapInArrow(enrich_match, _spark_schema(ENRICHED_SCHEMA))
    # Kept for the second write; recomputing it would parse and enrich everything again.
    enriched = enriched.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        post_columns = [f.name for f in ENRICHED_SCHEMA if f.name != "_topics"]
        enriched.select(*post_columns).write.mode("overwrite").partitionBy(
            "platform", "day"
        ).parquet(f"{lake}/{POSTS}")
        matches = _matches(enriched, now)
        matches.write.mode("overwrite").partitionBy("platform", "day").parquet(f"{lake}/{MATCHES}")
        per_day = _per_day(enriched)
        _drop_stale_match_days(spark, lake, per_day)
        _refresh_rollups(lake, per_day)
        posts_count = sum(posts for posts, _ in per_day.values())
        matches_count = sum(pairs for _, pairs in per_day.values())
    finally:
        enriched.unpersist()
    # Written by the parse tasks as they went; read once the writes above have run them all.
    rejected = read_rejections(quarantine).num_rows if quarantine else 0
    return SparkRunReport(
        lake=lake,
        inputs=list(inputs),
        topics=len(topics),
        posts=posts_count,
        matches=matches_count,
        seconds=round(time.perf_counter() - started, 3),
        master=str(spark.sparkContext.master),
        rejected=rejected,
        quarantine=quarantine if rejected else None,
    )


def quarantine_folder(lake: str, now: datetime) -> str | None:
    """Where this run's rejected records go: LAKE/quarantine/run=TIME, written by the workers
    through pyarrow's file systems (local, s3, gs, hdfs). Hadoop's `s3a://` is pyarrow's
    `s3://`; on a file system pyarrow cannot write, rejected records are not kept (None)."""
    import pyarrow.fs as pafs

    folder = f"{lake}/{QUARANTINE}/run={now.strftime('%Y%m%dT%H%M%S.%fZ')}"
    if folder.startswith("s3a://"):
        folder = "s3://" + folder[len("s3a://") :]
    try:
        pafs.FileSystem.from_uri(folder)
    except (pa.ArrowException, ValueError):
        return None
    return folder


def _refresh_rollups(lake: str, per_day: dict[Any, tuple[int, int]]) -> None:
    """Recompute the daily rollups of the days this run wrote, so the lake panels answer from
    fresh counts. Done by DuckDB on the driver, which reads only those day partitions: that
    needs the lake on a local (or mounted) file system; a lake on another file system keeps
    its rollups until `hubbub.lake.rollups.refresh` runs where the files can be read."""
    where = urlparse(lake)
    if where.scheme in ("", "file") and per_day:
        refresh(where.path if where.scheme else lake, sorted({str(day) for _, day in per_day}))


def check_inputs(inputs: Sequence[str]) -> None:
    """Fail early, with what to do, on input a run cannot read (before Spark starts)."""
    if not inputs:
        raise HubbubError(
            "no input given", "pass --input PATH (a file, a folder or a landing zone)"
        )
    for path in inputs:
        _check_input(path)


def _check_input(path: str) -> None:
    """A local input must exist (Spark's own error would be a long Java trace); a glob must
    match something; no file may be too big for one task. Other file systems are Spark's to
    check."""
    local = urlparse(path)
    if local.scheme not in ("", "file"):
        return
    name = Path(local.path or path)
    if any(c in str(name) for c in "*?["):
        base = Path(name.anchor) if name.is_absolute() else Path()
        found = list(base.glob(str(name.relative_to(base)) if name.is_absolute() else str(name)))
    else:
        found = [name] if name.exists() else []
    if not found:
        raise HubbubError(f"no such input: {path}", "check the --input path (or quote a glob)")
    for item in found:
        for file in item.rglob("*") if item.is_dir() else [item]:
            _check_size(file)


def _check_size(file: Path) -> None:
    # Spark's binaryFile source hands each file to one task whole, as one value: a big file
    # would exhaust that task's memory (1 GB in local mode) and kill the JVM mid-job.
    size = file.stat().st_size if file.is_file() else 0
    if size > MAX_INPUT_FILE_BYTES:
        raise HubbubError(
            f"{file} is {size / 1e6:,.0f} MB: Spark reads each input file whole in one task,"
            f" and files over {MAX_INPUT_FILE_BYTES // 1_000_000} MB do not fit",
            f"split it (split -l 200000 --additional-suffix=.ndjson {file} {file}.part-), or"
            " `hubbub import` it first and pass its landing zone (small segments) as --input",
        )


def _read_inputs(spark: SparkSession, inputs: Sequence[str]) -> DataFrame:
    from pyspark.sql import functions as fn

    frames = [
        spark.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(path)
        .select(fn.lit(index).cast("int").alias("_input"), "path", "content")
        for index, path in enumerate(inputs)
    ]
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return union


def _latest_per_id(parsed: DataFrame) -> DataFrame:
    from pyspark.sql import Window
    from pyspark.sql import functions as fn

    order = [fn.col("collected_at").desc()] + [fn.col(f.name).desc() for f in ORDER_COLUMNS]
    rank = fn.row_number().over(Window.partitionBy("id").orderBy(*order))
    return (
        parsed.withColumn("_rank", rank)
        .where(fn.col("_rank") == 1)
        .drop("_rank", *(f.name for f in ORDER_COLUMNS))
    )


def _by_partition(posts: DataFrame) -> DataFrame:
    """Rows of one lake partition in one task, so each partition gets one file, not one per
    task (posts spread over many days would otherwise make tasks x days small files)."""
    from pyspark.sql import functions as fn

    return posts.repartition(fn.col("platform"), fn.to_date("created_at"))


def _matches(enriched: DataFrame, matched_at: datetime) -> DataFrame:
    from pyspark.sql import functions as fn

    return enriched.select(
        fn.col("id").alias("post_id"),
        fn.explode("_topics").alias("topic"),
        fn.lit(matched_at).alias("matched_at"),
        "platform",
        "day",
    )


def _per_day(enriched: DataFrame) -> dict[Any, tuple[int, int]]:
    """{(platform, day): (posts, matches)} of what the job wrote, in one pass over the cached
    posts."""
    from pyspark.sql import functions as fn

    rows = (
        enriched.groupBy("platform", "day")
        .agg(fn.count("*").alias("posts"), fn.sum(fn.size("_topics")).alias("pairs"))
        .collect()
    )
    return {
        (row["platform"], row["day"]): (int(row["posts"]), int(row["pairs"] or 0)) for row in rows
    }


def _drop_stale_match_days(
    spark: SparkSession, lake: str, per_day: dict[Any, tuple[int, int]]
) -> None:
    """Partitions whose posts were rewritten but now match no topic keep no old match files
    (dynamic overwrite only replaces the partitions a write produces)."""
    fs, jvm_path = _file_system(spark, lake)
    for (platform, day), (_, pairs) in sorted(per_day.items()):
        where = partition_folder(MATCH_PARTITIONS, [platform, day.isoformat()])
        folder = jvm_path(f"{lake}/{MATCHES}/{where}")
        if not pairs and fs.exists(folder):
            fs.delete(folder, True)


def _file_system(spark: SparkSession, uri: str) -> tuple[Any, Any]:
    """Hadoop's FileSystem for `uri` (local, HDFS, S3...) and its Path constructor."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    return hadoop_path(uri).getFileSystem(conf), hadoop_path


def _prepare_lake(spark: SparkSession, lake: str) -> None:
    """Write the lake marker first (as `hubbub export lake` does), or check the one there."""
    import orjson

    fs, jvm_path = _file_system(spark, lake)
    marker = jvm_path(f"{lake}/{MARKER}")
    if fs.exists(marker):
        # Through Hadoop's API: Spark's readers skip files whose names start with "_".
        stream = fs.open(marker)
        try:
            data = spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toByteArray(stream)  # type: ignore[union-attr]
        finally:
            stream.close()
        try:
            version = orjson.loads(bytes(data)).get("version")
        except (orjson.JSONDecodeError, AttributeError):
            version = None
        if version != LAYOUT_VERSION:
            raise HubbubError(
                f"{lake} has lake layout version {version}; this hubbub writes {LAYOUT_VERSION}",
                "write to a new lake folder",
            )
        return
    out = fs.create(marker, True)
    try:
        out.write(bytearray(marker_bytes()))
    finally:
        out.close()


def _spark_schema(schema: pa.Schema) -> Any:
    """The Spark StructType of an Arrow schema (the types hubbub's tables use)."""
    from pyspark.sql import types as st

    def convert(t: pa.DataType) -> Any:
        if pa.types.is_string(t):
            return st.StringType()
        if pa.types.is_int64(t):
            return st.LongType()
        if pa.types.is_int32(t):
            return st.IntegerType()
        if pa.types.is_boolean(t):
            return st.BooleanType()
        if pa.types.is_floating(t):
            return st.DoubleType()
        if pa.types.is_timestamp(t):
            return st.TimestampType()
        if pa.types.is_date32(t):
            return st.DateType()
        if pa.types.is_list(t):
            return st.ArrayType(convert(t.value_type), True)
        raise TypeError(f"no Spark type for {t}")  # a programming error, not a user's

    return st.StructType([st.StructField(f.name, convert(f.type), True) for f in schema])
