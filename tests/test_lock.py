"""The lock files `make install` uses agree with pyproject.toml: every requirement it declares is pinned, to a
version inside its range, with hashes; and the prod and dev locks name the same versions."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]
BUILD = [Requirement(r) for r in PYPROJECT["build-system"]["requires"]]


def pins(lock: str) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes), from a pip-compile lock file."""
    text = (ROOT / "requirements" / lock).read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if match:
            found[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"), [("prod.lock", RUNTIME + BUILD), ("dev.lock", RUNTIME + DEV + BUILD)]
)
def test_every_requirement_is_pinned_inside_its_range(lock: str, requirements: list[Requirement]) -> None:
    pinned = pins(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not in requirements/{lock}: run `make lock`"
        version = pinned[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements/{lock} pins {name}=={version}, outside {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock", ["prod.lock", "dev.lock"])
def test_every_pin_has_hashes(lock: str) -> None:
    pinned = pins(lock)
    assert len(pinned) > 10
    assert not [name for name, (_version, hashes) in pinned.items() if not hashes]


def test_the_prod_and_dev_locks_name_the_same_versions() -> None:
    prod, dev = pins("prod.lock"), pins("dev.lock")
    assert {name: prod[name][0] for name in prod} == {name: dev[name][0] for name in prod}
