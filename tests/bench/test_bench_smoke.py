"""The benchmark kit stays runnable: the generator is deterministic, and one small run of every benchmark goes
through (`roi-bot serve`, imports, digests, the pandas peer) with the peer's numbers equal to the app's."""

import json

from bench import generate, report, run

SMALL = {"orders_count": 400, "influencers": 12, "campaigns_count": 3, "stats_count": 60}


def test_the_generator_writes_the_same_bytes_for_the_same_arguments(tmp_path):
    first = generate.generate(tmp_path / "a", **SMALL)
    second = generate.generate(tmp_path / "b", **SMALL)
    other = generate.generate(tmp_path / "c", **SMALL, seed=7)
    assert first["files"] == second["files"] and first["files"]["orders.csv"] != other["files"]["orders.csv"]
    assert first["order_rows"] > SMALL["orders_count"]  # line items: several rows for some orders
    header = (tmp_path / "a" / "orders.csv").read_text().splitlines()[0].split(",")
    assert len(header) == 79 and header[0] == "Name" and "Note Attributes" in header


def test_a_small_run_measures_everything_and_the_peer_agrees(tmp_path):
    data, results = tmp_path / "data", tmp_path / "results"
    assert run.main(["--data", str(data), "--orders", "400", "--influencers", "12", "--campaigns", "3",
                     "--stats", "60", "--requests", "2", "--burst", "2", "--burst-rounds", "1", "--runs", "1",
                     "--no-pg", "--no-readme", "--results", str(results)]) == 0
    sqlite = json.loads((results / "sqlite.json").read_text())
    assert sqlite["import"]["summary"]["new"] == 400 and sqlite["reimport"]["summary"]["unchanged"] == 400
    assert sqlite["import"]["rows"] == sqlite["data"]["order_rows"] and sqlite["floor"]["orders"] == 400
    assert sqlite["answer"]["full"]["n"] == 2 and sqlite["answer"]["full"]["median"] > sqlite["answer"]["ack"]["median"]
    assert sqlite["answer"]["burst"] == 2 and sqlite["answer"]["burst_ack"]["n"] == 2
    assert sqlite["answer"]["burst_answered"]["n"] == 1
    assert sqlite["digests"]["campaigns"] == 3
    assert sqlite["peer"]["campaigns_compared"] == 3 and sqlite["peer"]["mismatches"] == []
    readme = tmp_path / "README.md"
    readme.write_text(f"# Benchmarks\n\nbefore\n\n{report.START}\nold figures\n{report.END}\n\nafter\n")
    report.write_readme(readme, report.figures({k: sqlite[k] for k in ("when", "machine", "data")}, {"sqlite": sqlite}))
    text = readme.read_text()
    assert "old figures" not in text and "before" in text and "after" in text
    assert "| import peak RSS | < 500 MB |" in text and "same numbers in all 3 campaigns" in text
    assert "| a burst of 2 at once: ack p50 / p99, all answered (median) | — |" in text


def test_a_small_store_run_loses_nothing_and_obeys_the_throttle(tmp_path):
    from bench import stores

    assert stores.main(["--no-pg", "--deliveries", "20", "--senders", "2", "--sync-orders", "300",
                        "--results", str(tmp_path)]) == 0
    measured = json.loads((tmp_path / "stores.json").read_text())["sqlite"]
    hooks, pulled = measured["webhooks"], measured["sync"]
    assert hooks["acked"] == 20 and hooks["lost"] == 0 and hooks["ack"]["n"] == 20
    assert pulled["read"] == 300 and pulled["violations"] == 0
