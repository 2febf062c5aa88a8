"""File → Export…: choose what to export and where; the export runs in the background.

    dialog = ExportDialog(db_path, parent)   # parent: the main window
    dialog.show()                            # non-modal: the window stays usable

``exec()`` or ``open()`` also work but block the window (application / window
modal) until the dialog closes. The export itself always runs in an
Operation (viewer.qt.operations) over core.tasks.export_file, on its own
database connection, which calls exactly the function the `viewer export`
command calls, so both write the same bytes.
Closing the dialog during an export cancels it; the target file is then left
as it was. Before starting, the target is checked: one of the database's own
files (its -wal, -shm, -journal, backups) is refused, and an existing file is
replaced only when the user says so (``confirm_overwrite``).

Signals: ``exported(ExportResult)`` after a finished export; ``failed(str)``
with the message shown (also for a refused target). ``last_result`` holds the
latest result (a cancelled one has ``cancelled=True``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.core.store import StoreError
from viewer.core.store.database import close, open_readonly
from viewer.core.store.filters import distinct_values
from viewer.core.tasks.export import ALIASES, ExportError, ExportResult
from viewer.core.tasks.export_target import TargetExists, check_export_target
from viewer.core.tasks.window import export_file
from viewer.qt.operations import Operation

# (what, label in the dialog); "jsonl" is the round-trip file, not a CSV.
CHOICES = (
    ("annotations", "Annotations and decisions (CSV)"),
    ("attributions", "Attributions (quotes and reported speech), corrections applied (CSV)"),
    ("entities", "Entities, corrections applied (CSV)"),
    ("articles", "Articles with status, tags and counts (CSV)"),
    ("jsonl", "All annotation work, for import elsewhere (JSONL)"),
)


def _annotators(db_path: Path) -> list[str]:
    """The annotators to offer; none when the file cannot be read (the export says why)."""
    try:
        db = open_readonly(db_path)
    except sqlite3.Error:
        return []
    try:
        return distinct_values(db, "annotator")
    except sqlite3.Error:
        return []
    finally:
        close(db)


def default_export_folder() -> Path:
    """Where exports are offered: the user's documents folder, else their home."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


class ExportDialog(QDialog):
    """What to export (CSV kind or JSONL), the file, BOM and raw options; Export/Cancel."""

    exported = Signal(object)  # ExportResult of a finished (not cancelled) export
    failed = Signal(str)

    def __init__(
        self,
        db_path: str | Path,
        parent: QWidget | None = None,
        *,
        corpus: str | Path | None = None,
        folder: str | Path | None = None,
    ):
        super().__init__(parent)
        self.db_path = Path(db_path)
        # Offered: <folder>/<corpus>-<kind>.csv; a relative name is taken in this folder.
        self.folder = Path(folder) if folder else default_export_folder()
        self.corpus_name = Path(corpus).stem if corpus else self.db_path.stem
        self.job: Operation | None = None
        self.last_result: ExportResult | None = None
        self.setWindowTitle("Export")
        self.setModal(False)
        self._build()
        self._offered = ""
        self._offer_name()
        self._update_options()

    # -- layout --------------------------------------------------------------------

    def _build(self) -> None:
        self.what_box = QComboBox()
        for what, label in CHOICES:
            self.what_box.addItem(label, what)
        self.what_box.currentIndexChanged.connect(self._update_options)
        self.what_box.currentIndexChanged.connect(self._offer_name)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("file to write")
        self.path_edit.textChanged.connect(self._update_options)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.annotator_box = QComboBox()
        self.annotator_box.addItem("Everyone", None)
        for name in _annotators(self.db_path):
            self.annotator_box.addItem(name, name)
        self.annotator_box.setToolTip(
            "One annotator's work only (e.g. adjudicated), and the corrected views "
            "with their decisions alone"
        )
        self.bom_box = QCheckBox("Byte-order mark (lets Excel detect UTF-8)")
        self.raw_box = QCheckBox("Raw values for programs (no spreadsheet formula guard)")
        self.progress_bar = QProgressBar()
        self.progress_bar.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self.start_export)
        self.close_button.clicked.connect(self._cancel_or_close)
        self._layout(browse)

    def _layout(self, browse: QPushButton) -> None:
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Export", self.what_box)
        form.addRow("File", file_row)
        form.addRow("Annotator", self.annotator_box)
        form.addRow("", self.bom_box)
        form.addRow("", self.raw_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(560, self.sizeHint().height())

    # -- choices ---------------------------------------------------------------------

    @property
    def what(self) -> str:
        return str(self.what_box.currentData())

    def set_choice(self, what: str, path: str | Path, *, raw: bool = False, bom: bool = False):
        """Fill the form (what the user would pick), e.g. from a test or a remembered choice."""
        self.what_box.setCurrentIndex(self.what_box.findData(ALIASES.get(what, what)))
        self.path_edit.setText(str(path))
        self.raw_box.setChecked(raw)
        self.bom_box.setChecked(bom)

    def suggested_name(self) -> str:
        return f"{self.corpus_name}-{self.what}.{'jsonl' if self.what == 'jsonl' else 'csv'}"

    def _offer_name(self) -> None:
        """A file named after the corpus and the kind, in the export folder; changing
        the kind renames it until the user types a name of their own."""
        current = self.path_edit.text().strip()
        if current and current != self._offered:
            return  # the user's own choice
        self._offered = str(self.folder / self.suggested_name())
        self.path_edit.setText(self._offered)

    def target(self) -> Path | None:
        """The file to write: a relative name is in the export folder, never wherever
        the program was started; None when the field is empty."""
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text).expanduser()
        return path if path.is_absolute() else self.folder / path

    def _browse(self) -> None:
        csv = self.what != "jsonl"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to", str(self.target() or self.folder / self.suggested_name()),
            "CSV files (*.csv)" if csv else "JSON lines (*.jsonl)",
            options=QFileDialog.Option.DontConfirmOverwrite,  # start_export asks, once
        )  # fmt: skip
        if name:
            self.path_edit.setText(name)

    def _update_options(self) -> None:
        running = self.job is not None
        csv = self.what != "jsonl"
        for widget in (self.what_box, self.path_edit, self.annotator_box):
            widget.setEnabled(not running)
        self.bom_box.setEnabled(csv and not running)
        self.raw_box.setEnabled(csv and not running)
        self.export_button.setEnabled(not running and bool(self.path_edit.text().strip()))
        self.close_button.setText("Cancel" if running else "Close")

    # -- the job ---------------------------------------------------------------------

    def start_export(self) -> None:
        """Start the export in the background (no-op while one runs or with no file)."""
        path = self.target()
        if self.job is not None or path is None or not self._target_accepted(path):
            return
        csv, db_path, what = self.what != "jsonl", self.db_path, self.what
        raw, bom = csv and self.raw_box.isChecked(), csv and self.bom_box.isChecked()
        annotator = self.annotator_box.currentData()
        self.job = Operation(
            lambda task: export_file(db_path, path, what, task, raw=raw, bom=bom,
                                     annotator=annotator),
            expected=(ExportError, StoreError),
            context=str(path),
        )  # fmt: skip
        self.job.progress.connect(self._on_progress)
        self.job.succeeded.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.status.setText("Exporting…")
        self._update_options()
        self.job.start()

    def _target_accepted(self, out: Path) -> bool:
        """Never the database's own files; an existing file only once the user agrees."""
        try:
            check_export_target(self.db_path, out, overwrite=False)
        except TargetExists:
            if self.confirm_overwrite(out):
                return True
            self.status.setText(f"Not exported; {out} was left as it was.")
            return False
        except ExportError as exc:
            self.status.setText(f"Not exported: {exc}")
            self.failed.emit(str(exc))
            return False
        return True

    def confirm_overwrite(self, path: Path) -> bool:
        """Ask whether to replace the existing ``path`` (tests replace this method)."""
        answer = QMessageBox.question(
            self, "Replace file?", f"{path} already exists.\nReplace it with the export?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )  # fmt: skip
        return answer == QMessageBox.StandardButton.Yes

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.progress_bar.setRange(0, total)  # total 0: a busy bar
        self.progress_bar.setValue(min(done, total))
        self.status.setText(what)

    def _on_failed(self, message: str) -> None:
        self._job_ended()
        self.status.setText(f"Export failed: {message}")
        self.failed.emit(message)

    def _job_ended(self) -> None:
        self.job = None  # its thread has ended: the operation delivers only then
        self.progress_bar.setVisible(False)
        self._update_options()

    def _on_done(self, result: ExportResult) -> None:
        self._job_ended()
        self.last_result = result
        if result.cancelled:
            self.status.setText(f"Cancelled; {result.path} was not changed.")
            return
        self.status.setText(f"Wrote {result.rows} rows to {result.path}")
        self.exported.emit(result)

    def cancel_export(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling…")

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.cancel_export()
        else:
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self._stop_job()
        super().closeEvent(event)

    def reject(self) -> None:
        self._stop_job()
        super().reject()

    def _stop_job(self) -> None:
        """Closing during an export cancels it and waits (a chunk: milliseconds)."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
