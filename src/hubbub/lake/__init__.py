"""The Parquet lake: the on-disk layout that the DuckDB store, Spark and the benchmarks share."""
