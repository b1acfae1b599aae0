"""hubbub: open-source social listening and social analytics.

The public Python API; the `hubbub` command mirrors it command for command.

    import hubbub
    hb = hubbub.open("hubbub.duckdb")            # or $HUBBUB_DB, default ./hubbub.duckdb
    hb.import_files(["posts.ndjson.gz"])         # -> ImportReport(read, new, updated, ...)
    hb.sql("SELECT platform, count(*) FROM posts GROUP BY 1")
"""

from hubbub.api import Hubbub, RetryReport, Status, open
from hubbub.errors import HubbubError
from hubbub.importer import ImportReport
from hubbub.model import POST_FIELDS, POST_SCHEMA, Rejected

__version__ = "0.1.0"

__all__ = [
    "POST_FIELDS",
    "POST_SCHEMA",
    "Hubbub",
    "HubbubError",
    "ImportReport",
    "Rejected",
    "RetryReport",
    "Status",
    "__version__",
    "open",
]
