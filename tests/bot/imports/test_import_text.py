"""Opening uploaded bytes as CSV: encodings, delimiters, row numbers, and files refused whole."""

from __future__ import annotations

import codecs
import io

import pytest

from bot.errors import InputError
from bot.imports.text import CHUNK, MAX_FIELD, MAX_LINE, open_rows


def table(data: bytes, name: str = "the file"):
    return open_rows(io.BytesIO(data), name=name)


def rows(data: bytes) -> list[tuple[int, list[str]]]:
    return list(table(data).rows)


def refusal(data: bytes, name: str = "the file") -> str:
    """The message of the InputError the file gets, whether opening it or reading its rows raises it."""
    with pytest.raises(InputError) as caught:
        list(table(data, name).rows)
    assert caught.value.field == "file"
    return caught.value.message


def test_utf8_with_and_without_bom():
    for data in (b"handle,platform\nana,tiktok\n", codecs.BOM_UTF8 + b"handle,platform\nana,tiktok\n"):
        opened = table(data)
        assert (opened.header, opened.encoding, opened.delimiter) == (["handle", "platform"], "utf-8", ",")
        assert list(opened.rows) == [(2, ["ana", "tiktok"])]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_zero_width_characters_are_taken_out_of_every_cell_as_slash_commands_drop_them(encoding):
    data = ('order_id,\u200bdate,amount,code\n\ufeffbm2,2026-03-05,1,GOOD\ufeff10\n'
            '"bm\u20603",2026-03-05,1,"A,\u200b B"\n')
    opened = table(data.encode(encoding))
    assert opened.header == ["order_id", "date", "amount", "code"]
    assert list(opened.rows) == [(2, ["bm2", "2026-03-05", "1", "GOOD10"]), (3, ["bm3", "2026-03-05", "1", "A, B"])]


@pytest.mark.parametrize("bom, encoding", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_a_bom(bom, encoding):
    opened = table(bom + "handle\tnote\r\nzoë\tcafé ☕\r\n".encode(encoding))
    assert (opened.header, opened.delimiter, opened.encoding) == (["handle", "note"], "\t", encoding)
    assert list(opened.rows) == [(2, ["zoë", "café ☕"])]


def test_latin1_is_refused_with_the_byte_and_its_offset():
    message = refusal(b"handle\ncaf\xe9\n", name="roster.csv")
    assert "`roster.csv` is not UTF-8 text (byte 0xE9 at byte offset 10, in row 2)" in message
    assert "UTF-8" in message.split(" — use ")[1]


def test_a_bad_byte_deep_in_a_big_file_surfaces_when_reached():
    good = b"".join(b"%d,2026-03-05,10.00\n" % n for n in range(200_000))
    data = b"order_id,date,amount\n" + good + b"bad,2026-03-05,\xff\xfe\n" + b"1,2026-03-05,1\n"
    opened = table(data)
    seen = 0
    with pytest.raises(InputError) as caught:
        for row, _cells in opened.rows:
            seen = row
    assert seen == 200_001  # every row before the bad one was read
    offset = len(b"order_id,date,amount\n") + len(good) + len(b"bad,2026-03-05,")
    assert f"byte 0xFF at byte offset {offset:,}, in row 200,002" in caught.value.message


def test_a_character_split_across_chunks_decodes():
    filler = b"x" * (CHUNK - len(b"note\n") - 1)
    data = b"note\n" + filler + "é\n".encode()  # é's two bytes straddle the first chunk's end
    assert rows(data) == [(2, [filler.decode() + "é"])]


def test_a_crlf_split_across_chunks_is_one_line_break():
    filler = b"x" * (CHUNK - len(b"note\r\n") - 1)
    data = b"note\r\n" + filler + b"\r\n" + b"next\r\n"  # the \r ends the first chunk, its \n starts the next
    assert rows(data) == [(2, [filler.decode()]), (3, ["next"])]


@pytest.mark.parametrize("data, problem", [
    (b"", "the file is empty"),
    (b"  \r\n\t\n \n", "the file is empty"),
    (codecs.BOM_UTF8, "the file is empty"),
    (codecs.BOM_UTF32_LE + "a\n".encode("utf-32-le"), "is UTF-32 text"),
    ("handle\nana\n".encode("utf-16-le"), "looks like UTF-16 text without a byte-order mark"),
    (b"PK\x03\x04\x14\x00\x06\x00", "is an Excel workbook"),
    (b"handle\nan\x00a\n", "has a NUL character in row 2"),
    (b"handle,note\nana,\"open quote\nstill open\n", 'has a quote (") in row 2 that is never closed'),
    (b'handle,note\nana,"quoted"tail\n', 'text right after a closing quote (") in row 2'),
    (codecs.BOM_UTF16_LE + "handle\n".encode("utf-16-le") + b"\x00", "is not valid UTF-16 text"),
    (codecs.BOM_UTF16_LE + "h\n".encode("utf-16-le") + b"\x00\xdc\n\x00", "is not valid UTF-16 text (at byte offset 6"),
])
def test_files_that_are_refused_whole(data, problem):
    assert problem in refusal(data)


def test_a_field_over_the_limit_is_refused_naming_its_row():
    data = b"handle,note\nana,short\nben,\"" + b"y" * (MAX_FIELD + 1) + b"\"\n"
    assert f"has a cell longer than {MAX_FIELD:,} characters in row 3" in refusal(data)
    assert rows(b"handle,note\nana,\"" + b"y" * MAX_FIELD + b"\"\n")[0][1][1] == "y" * MAX_FIELD


def test_a_line_without_breaks_cannot_fill_memory():
    message = refusal(b"handle\n" + b"z" * (MAX_LINE + CHUNK))
    assert f"has a line longer than {MAX_LINE:,} characters in row 2" in message


def test_header_only_has_no_rows():
    opened = table(b" Handle , Platform \n")
    assert opened.header == ["Handle", "Platform"] and list(opened.rows) == []


def test_quoted_line_breaks_keep_spreadsheet_row_numbers():
    data = b'handle,note\r\nana,"line one\r\nline two\r\nline three"\r\nben,plain\r\n\r\n,,\r\ncat,"x\ny"\r\n'
    assert rows(data) == [(2, ["ana", "line one\r\nline two\r\nline three"]), (3, ["ben", "plain"]),
                          (6, ["cat", "x\ny"])]  # rows 4 (empty) and 5 (only commas) are blank, not yielded


def test_blank_lines_before_the_header_count_as_rows():
    opened = table(b"\n\nhandle\nana\n")
    assert opened.header == ["handle"] and list(opened.rows) == [(4, ["ana"])]


def test_old_mac_line_endings():
    assert rows(b"handle,note\rana,one\rben,two\r") == [(2, ["ana", "one"]), (3, ["ben", "two"])]


@pytest.mark.parametrize("header, delimiter", [
    (b"order_id;date;amount", ";"), (b"order_id\tdate\tamount", "\t"), (b"order_id,date;amount", ","),
    (b"handle", ","),
])
def test_the_delimiter_comes_from_the_header(header, delimiter):
    assert table(header + b"\n").delimiter == delimiter


def test_semicolon_rows_split_on_semicolons():
    assert rows(b"handle;note;amount\nana;\"a;b\";1,5\n") == [(2, ["ana", "a;b", "1,5"])]


def test_short_rows_are_padded_and_long_rows_kept():
    assert rows(b"a,b,c\n1\n1,2,3,4\n") == [(2, ["1", "", ""]), (3, ["1", "2", "3", "4"])]


def test_a_second_bom_and_stray_spaces_are_removed_from_the_header():
    assert table(codecs.BOM_UTF8 + codecs.BOM_UTF8 + b' handle ," platform "\n').header == ["handle", "platform"]


def test_a_stream_is_read_in_chunks_not_whole():
    class Counting(io.BytesIO):
        biggest = 0

        def read(self, size=-1):
            assert size != -1 and size is not None
            Counting.biggest = max(Counting.biggest, size)
            return super().read(size)

    with Counting(b"handle\n" + b"ana\n" * 100_000) as raw:
        assert sum(1 for _ in open_rows(raw).rows) == 100_000
    assert Counting.biggest == CHUNK


def test_only_cr_and_lf_break_lines():
    data = "note,other\nline\u2028separator,form\x0cfeed\x85next\n".encode()
    assert rows(data) == [(2, ["line\u2028separator", "form\x0cfeed\x85next"])]


def test_a_header_with_a_quoted_line_break_is_one_row():
    opened = table(b'"order\nid",date\n1,2026-03-05\n')
    assert opened.header == ["order\nid", "date"] and list(opened.rows) == [(2, ["1", "2026-03-05"])]
