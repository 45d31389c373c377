"""The one exception a user sees when their input cannot be used."""

from __future__ import annotations

__all__ = [
    "XVOCError",
]


class XVOCError(ValueError):
    """Malformed input: names the file, column, row and rule that failed, in one line.

    ``row`` is the 1-based data record number (the header is not counted), as a researcher
    would count records in the file; ``None`` when the problem is not tied to one row.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
        rule: str,
    ) -> None:
        self.file, self.column, self.row, self.rule, self.detail = file, column, row, rule, message
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"column '{column}'" if column else "",
                f"row {row}" if row is not None else "",
            )
            if part
        )
        super().__init__(f"{where or 'input'}: [{rule}] {message}")
