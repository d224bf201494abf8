"""Turning uploaded bytes into CSV rows: encoding, delimiter and row numbers, streamed so big files stay small.

Files are UTF-8 (a BOM is fine) or UTF-16 with a byte-order mark; anything else is refused whole, with the
byte offset and row where decoding failed. Bytes are decoded a chunk at a time, so a 500 MB export never sits
in memory and an invalid byte deep in the file surfaces when the rows iterator reaches it.

Row numbers are the ones a spreadsheet shows: the header is row 1 (blank lines before it count), each CSV
record is one row even when a quoted cell spans several lines, and blank lines (no cell with text) keep
their number but are not yielded. Cells are padded with `""` to the header's width.

Zero-width characters (`bot.values.INVISIBLE`: a BOM pasted mid-file, zero-width spaces) are taken out of the
text before it is split into cells, as slash commands drop them: `\ufeffbm2` and `bm2` are the same order id.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from bot.errors import InputError
from bot.values import shown, strip_invisible

MAX_FIELD = 131072  # also the csv module's default field_size_limit, which enforces it
MAX_LINE = 32 * MAX_FIELD  # one physical line, so a file without line breaks cannot fill memory
CHUNK = 1 << 16
ACCEPTED = "a CSV saved as UTF-8 (or UTF-16 with a byte-order mark)"
BOMS = (
    (codecs.BOM_UTF32_LE, None), (codecs.BOM_UTF32_BE, None),  # before UTF-16: FF FE 00 00 starts like UTF-16 LE
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
LABEL = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}


@dataclass
class Table:
    """An open CSV: its header (trimmed, BOM removed) and an iterator of `(row number, cells)`."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    delimiter: str
    encoding: str


class _Refused(Exception):
    """Raised inside the text pipeline; `problem` has a `{row}` slot for the row being read."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def _encoding(first: bytes, subject: str) -> tuple[str, int]:
    """The encoding the first bytes announce and the length of the BOM to skip."""
    for bom, encoding in BOMS:
        if first.startswith(bom):
            if encoding is None:
                raise InputError("file", f"{subject} is UTF-32 text", ACCEPTED)
            return encoding, len(bom)
    if first.startswith(b"PK\x03\x04"):
        raise InputError("file", f"{subject} is an Excel workbook or another zip file, not a CSV",
                         "File → Save As → CSV UTF-8 in Excel, then share that file")
    sample = first[:64]
    if sample and sample.count(0) * 4 >= len(sample):  # ASCII in UTF-16 is every other byte zero
        raise InputError("file", f"{subject} looks like UTF-16 text without a byte-order mark", ACCEPTED)
    return "utf-8", 0


def _decoded(raw: BinaryIO, first: bytes, encoding: str, skip: int) -> Iterator[str]:
    """Text chunks of the stream; a bad byte raises `_Refused` after the text before it has been yielded."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = skip  # bytes fed to the decoder so far, counted from the start of the file
    data = first[skip:]
    while True:
        final = not data
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError as error:
            yield error.object[: error.start].decode(encoding)
            where = offset - pending + error.start
            if error.start < len(error.object) and encoding == "utf-8":
                byte = error.object[error.start]
                raise _Refused(f"is not UTF-8 text (byte 0x{byte:02X} at byte offset {where:,}, in row {{row:,}})")
            raise _Refused(f"is not valid {LABEL[encoding]} text (at byte offset {where:,}, in row {{row:,}})")
        if "\x00" in text:
            yield text[: text.index("\x00")]
            raise _Refused("has a NUL character in row {row:,} (it is not a text file)")
        yield text
        if final:
            return
        offset += len(data)
        data = raw.read(CHUNK)


def _visible(texts: Iterator[str]) -> Iterator[str]:
    """The text chunks without zero-width characters (one `str.translate` per chunk, whatever the row count)."""
    for text in texts:
        yield strip_invisible(text)


def _line_blocks(texts: Iterator[str]) -> Iterator[str]:
    """Regroup text chunks so each ends at a line break (a `\\r\\n` is never split)."""
    carry = ""
    for text in texts:
        if not text:
            continue
        text = carry + text if carry else text
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut == len(text) - 1 and text[cut] == "\r":  # the `\n` of `\r\n` may start the next chunk
            cut = max(text.rfind("\n", 0, cut), text.rfind("\r", 0, cut))
        carry = text[cut + 1:]
        if len(carry) > MAX_LINE:
            raise _Refused(f"has a line longer than {MAX_LINE:,} characters in row {{row:,}}")
        if cut >= 0:
            yield text[: cut + 1]
    if carry:
        yield carry


def _lines(texts: Iterator[str]) -> Iterator[str]:
    """Physical lines with their endings (`\\n`, `\\r\\n` or `\\r`), as `csv.reader` wants them."""
    return itertools.chain.from_iterable(io.StringIO(block, newline="") for block in _line_blocks(texts))


def _delimiter(line: str) -> str:
    """`,` unless the header has none but has `;` or tabs (Excel in many locales)."""
    if "," in line:
        return ","
    semicolons, tabs = line.count(";"), line.count("\t")
    if semicolons or tabs:
        return ";" if semicolons >= tabs else "\t"
    return ","


def _csv_problem(error: csv.Error) -> str:
    """The csv module's complaint as a sentence with a `{row}` slot."""
    message = str(error)
    if "field larger than field limit" in message:
        return f"has a cell longer than {MAX_FIELD:,} characters in row {{row:,}}"
    if "unexpected end of data" in message:
        return 'has a quote (") in row {row:,} that is never closed'
    if "expected after" in message:
        return 'has text right after a closing quote (") in row {row:,}'
    return "is not valid CSV in row {row:,} (" + message.replace("{", "(").replace("}", ")") + ")"


def _refusal(subject: str, problem: str, row: int) -> InputError:
    return InputError("file", f"{subject} {problem.format(row=row)}", ACCEPTED)


def _rows(reader, row: int, width: int, subject: str) -> Iterator[tuple[int, list[str]]]:
    """Number the records, skip blank ones, pad short ones; refusals name the row being read."""
    try:
        for cells in reader:
            row += 1
            if not any(cells) or (not cells[0].strip() and not "".join(cells).strip()):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield row, cells
    except _Refused as refused:
        raise _refusal(subject, refused.problem, row + 1) from None
    except csv.Error as error:
        raise _refusal(subject, _csv_problem(error), row + 1) from None


def open_rows(raw: BinaryIO, *, name: str = "the file") -> Table:
    """Open a binary stream as CSV: check the encoding, read the header, and stream the rows after it."""
    subject = "the file" if name == "the file" else shown(name)
    first = raw.read(CHUNK)
    encoding, skip = _encoding(first, subject)
    lines = _lines(_visible(_decoded(raw, first, encoding, skip)))
    row = 0
    try:
        for line in lines:
            row += 1
            if line.strip():
                break
        else:
            raise InputError("file", f"{subject} is empty", ACCEPTED + ", with a header row")
    except _Refused as refused:
        raise _refusal(subject, refused.problem, row + 1) from None
    delimiter = _delimiter(line)
    reader = csv.reader(itertools.chain([line], lines), delimiter=delimiter, strict=True)
    try:
        header = [cell.strip() for cell in next(reader)]
    except _Refused as refused:
        raise _refusal(subject, refused.problem, row) from None
    except csv.Error as error:
        raise _refusal(subject, _csv_problem(error), row) from None
    # A header with quoted line breaks spans several physical lines but is still one row.
    return Table(header=header, rows=_rows(reader, row, len(header), subject), delimiter=delimiter,
                 encoding=encoding)
