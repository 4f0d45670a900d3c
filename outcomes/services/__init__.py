"""Writes of the outcomes app: record sources and their pulls, uploads, pushes, manual entry, the
CCHI catalogue, follow-up snapshots, imported trial histories and the extract files kept.

The public surface of outcomes' writes: views, tasks, commands, the admin and the demo import
from here only. Each service runs in one transaction (an extract: one per file or page) with
its audit event.
"""

from outcomes.services.catalogue import (
    CatalogueError,
    EntryRow,
    harm_index_load,
    harm_index_pin,
    harm_index_pin_check,
    offence_code_check,
    offence_code_map,
    read_csv,
    read_xlsx,
)
from outcomes.services.erasure import trial_record_identifiers_erase
from outcomes.services.files import ExpiryResult, import_files_expire, run_file_open
from outcomes.services.followup import (
    FreezeResult,
    WaveResult,
    followup_wave_run,
    snapshot_correct,
    snapshots_freeze,
)
from outcomes.services.history import (
    ERRORS_SHOWN,
    HistoryOptions,
    HistoryRejectedError,
    HistoryResult,
    trial_history_import,
)
from outcomes.services.push import (
    PUSH_MAX_RECORDS,
    PushError,
    PushRejectedError,
    PushResult,
    records_push,
)
from outcomes.services.records import (
    DATA_ROLES,
    SOURCE_FIELDS,
    PullResult,
    record_enter,
    records_rematch,
    source_check,
    source_create,
    source_pull,
    source_pull_request,
    source_update,
    upload_import,
    upload_receive,
    upload_size_check,
)

__all__ = [
    "DATA_ROLES",
    "ERRORS_SHOWN",
    "PUSH_MAX_RECORDS",
    "SOURCE_FIELDS",
    "CatalogueError",
    "EntryRow",
    "ExpiryResult",
    "FreezeResult",
    "HistoryOptions",
    "HistoryRejectedError",
    "HistoryResult",
    "PullResult",
    "PushError",
    "PushRejectedError",
    "PushResult",
    "WaveResult",
    "followup_wave_run",
    "harm_index_load",
    "harm_index_pin",
    "harm_index_pin_check",
    "import_files_expire",
    "offence_code_check",
    "offence_code_map",
    "read_csv",
    "read_xlsx",
    "record_enter",
    "records_push",
    "records_rematch",
    "run_file_open",
    "snapshot_correct",
    "snapshots_freeze",
    "source_check",
    "source_create",
    "source_pull",
    "source_pull_request",
    "source_update",
    "trial_history_import",
    "trial_record_identifiers_erase",
    "upload_import",
    "upload_receive",
    "upload_size_check",
]
