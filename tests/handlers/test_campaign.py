import json
def test_explore(roi, slack):
    slack.channels.append({"id": "C0GROWTH1", "name": "growth"})
    for line in [
        "/campaign create spring budget=5000 start=2026-03-01 end=2026-03-31 channel=<#C123|growth>",
        "/campaign create autumn budget=12,00",
        "/campaign create x budget=abc",
        "/campaign create x budget=-5",
        "/campaign create x",
        "/campaign create x budget=1 currency=<!channel>",
        "/campaign <!channel>",
        "/campaign create x budget=1 bugdet=2",
        "/campaign create x budget=1 channel=#growth",
        "/campaign create y budget=1 channel=#nope",
        "/campaign show spring",
        "/campaign list",
        "/campaign set spring budget=5000",
        "/campaign set spring name=Summer",
        "/campaign end summer",
        "/influencer add <!channel>",
        "/campaign create z budget=1 note=\"ping <!channel> &amp; <!here>\"",
        "/campaign show z",
    ]:
        a = roi.command(line)
        print("=====", line, a.status)
        print(a.text)
    print(json.dumps(a.reply, indent=1)[:3000])
    assert 0
