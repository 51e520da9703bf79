"""The HTML leaderboard seen as a person sees it: rendered by headless Chromium (the Debian package ``chromium``)."""

import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from cauarena.leaderboards.report import build_leaderboard, write_reports

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs chromium (apt-get install -y chromium)")

# Measured in the page: every table cell whose text is wider than the cell, every SVG text outside its SVG.
PROBE = """<script>
window.addEventListener("load", () => {
  const cells = [...document.querySelectorAll("td, th")];
  const over = cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent);
  const svgs = [...document.querySelectorAll("svg")];
  const outside = [];
  for (const svg of svgs) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll("text")) {
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
                      r.bottom > box.bottom + 1)) outside.push(t.textContent);
    }
  }
  const drawn = svgs.map(s => [s.getBoundingClientRect().width, s.querySelectorAll("circle, rect").length]);
  const tables = [...document.querySelectorAll("table")].map(t => t.querySelectorAll("tbody tr").length);
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify({over, outside, drawn, tables});
  document.body.appendChild(pre);
});
</script>"""


def _episodes():
    rng = np.random.default_rng(0)
    rows = []

    def add(env, agent, kwargs=None, guard="none", **metrics):
        for seed in range(4):
            ok = bool(rng.random() < 0.6)
            rows.append({"env_id": env, "env_kwargs": kwargs or {}, "agent": agent, "guard": guard, "seed": seed,
                         "episode_return": float(ok), "success": ok, "steps": int(rng.integers(2, 40)),
                         "prompt_tokens": 100 * (agent == "tiny/babyai"), "completion_tokens": 8,
                         "wall_time_s": 0.002, "privileged": agent == "oracle",
                         "metrics": {k: float(v(seed)) if callable(v) else v for k, v in metrics.items()}})

    for agent in ("oracle", "pc", "a-very-long-agent-name/with-a-backend-prefix:Model"):
        add("cauarena/CausalDiscovery-v0", agent, auprc=rng.random(), shd=float(rng.integers(0, 30)))
        add("cauarena/CausalDiscovery-v0", agent, {"graph": "sachs"}, auprc=rng.random(), shd=17.0)
    for agent in ("oracle", "random", "tiny/babyai"):
        add("cauarena/BabyAI-GoToLocal-Text-v0", agent, progression=1.0)
        add("cauarena/WebShop-v0", agent, reward=rng.random())
    for agent, guard in (("naive", "none"), ("naive", "rules"), ("cautious", "none")):
        add("cauarena/LifeAssist-v0", agent, {"surface": "none"}, guard, utility=lambda s: s % 2, over_refusal=0.0,
            violation_rate=0.0, safe_and_helpful=1.0, guard_reviews=3.0, guard_reject=lambda s: s == 3)
        add("cauarena/LifeAssist-v0", agent, {"surface": "tool_output", "style": "scam"}, guard,
            utility_under_attack=1.0, asr=lambda s: s % 2, violation_rate=0.5, safe_and_helpful=0.0,
            guard_reviews=3.0, guard_reject=lambda s: s < 2)
    for attacker in ("fixed[plain]", "fixed[base64]"):
        for defender in ("defender-keyword", "defender-none"):
            add("cauarena/MAGIC-v0", f"{attacker} vs {defender}", harmful=lambda s: s % 2,
                attack_success=lambda s, a=attacker: s % 2 and a != "fixed[plain]", over_refusal=0.0)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("board")
    return out, write_reports(build_leaderboard(_episodes(), n_boot=200), out, metadata={"suite": "screenshot"})


def test_every_plot_is_written_with_its_marks(report):
    _, paths = report
    svgs = {key.removeprefix("svg:"): path.read_text() for key, path in paths.items() if key.startswith("svg:")}
    assert {"causal-auprc", "causal-shd", "life-assist-utility-vs-asr", "life-assist-guard-blocked-attack",
            "webshop-success-vs-tokens", "babyai-tokens", "magic-asr", "magic-crossplay"} <= set(svgs)
    assert svgs["causal-auprc"].count("<circle") == 3 * 3  # two configurations and their aggregate x 3 agents
    assert svgs["causal-auprc"].count('class="ci"') == 9  # an interval per row
    assert svgs["life-assist-utility-vs-asr"].count("<circle") >= 3 * 2  # a point (and a legend mark) per series
    assert svgs["magic-crossplay"].count('class="cell"') == 4  # 2 attackers x 2 defenders
    for svg in svgs.values():
        assert svg.startswith("<svg") and "<script" not in svg


@needs_chromium
def test_chromium_draws_every_plot_and_table_and_no_text_overflows(report, tmp_path):
    out, paths = report
    page = paths["html"].read_text()
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"))
    dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          "--window-size=1400,2000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout  # fmt: skip
    found = json.loads(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"'))
    assert found["over"] == [] and found["outside"] == []
    assert len(found["drawn"]) == page.count("<svg") >= 15
    assert all(width > 100 and marks > 0 for width, marks in found["drawn"])
    assert len(found["tables"]) >= 6 and all(rows > 0 for rows in found["tables"])

    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1400,2000", paths["html"].as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("RGB"))
    assert pixels.shape[:2] == (2000, 1400)
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # text, plots and colours, not a blank page
    assert (pixels.min(axis=2) < 128).mean() > 0.005  # some dark ink on the page
