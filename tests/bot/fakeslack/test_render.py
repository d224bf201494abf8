"""Block Kit rendered as terminal text, for the demo and the console."""

from bot.fakeslack.render import plain, render_blocks
from handlers.blocks.kit import context, header, section, table


def test_plain_text_resolves_mentions_strips_bold_and_undoes_entities():
    text = plain("*Budget* for <#C1> by <@U1|ana> &amp; <@U2>: <https://x.io|shop> &lt;3", {"C1": "growth", "U2": "lena"})
    assert text == "Budget for #growth by @ana & @lena: shop (https://x.io) <3"


def test_tables_are_aligned_under_a_rule():
    lines = render_blocks([header("Codes"), table(["Code", "Who"], [["MIA10", "glowwithmia"], ["X", None]])]).splitlines()
    assert lines[:2] == ["Codes", "====="]
    assert lines[2:] == ["Code   Who", "-----  -----------", "MIA10  glowwithmia", "X      –"]


def test_sections_and_context_keep_their_text():
    out = render_blocks([section("Hello *there*"), context("small print")])
    assert out.splitlines() == ["Hello there", "  small print"]
