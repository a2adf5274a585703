"""Turn a cluster's workers into a yes or no: do they see the batch's folders and run our code?

A batch on a cluster reads the sources and writes the outputs where the client names
them, so every worker must see the same folders at the same paths (a shared disk). And
its bytes equal a local build's only if every worker runs the same zinebuild, with the
same versions of the libraries that write the outputs. Both are
asked of each worker before any book is sent, so that a worker set up otherwise stops
the batch with one clear message instead of failing every book it is given.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..cache import code_digest
from ..errors import BuildError, Problem

WAIT_FOR_WORKERS = 30  # seconds: a scheduler just started may have none yet


# The libraries whose version shows in the outputs' bytes: layout, PDF writing, fonts, the EPUB.
LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "fonttools", "ebooklib")


def look(paths: list[str]) -> dict:
    """On a worker: zinebuild's code digest, its libraries' versions, and which of paths it cannot see."""
    return {**fingerprint(), "missing": [path for path in paths if not os.path.isdir(path)]}


def fingerprint() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    libraries = {}
    for name in LIBRARIES:
        try:
            libraries[name] = version(name)
        except PackageNotFoundError:
            libraries[name] = None
    return {"code": code_digest(), "libraries": libraries}


def check_workers(client, folders: list[Path]) -> None:
    """Raise BuildError unless every worker sees folders and runs this zinebuild."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        raise BuildError(Problem(f"the Dask scheduler has no workers after {WAIT_FOR_WORKERS} s", key="--scheduler",
                                 hint="start them with `dask worker ADDRESS` on each machine")) from None
    try:
        answers = client.run(look, [str(folder) for folder in folders])
    except Exception as error:  # a worker without zinebuild cannot even load look()
        raise BuildError(Problem(f"a worker cannot run zinebuild: {type(error).__name__}: {error}", key="--scheduler",
                                 hint="install the same zinebuild on every machine: pip install 'zinebuild[cluster]'")) from None
    problems = refusals(answers, fingerprint())
    if problems:
        raise BuildError(problems)


def refusals(answers: dict[str, dict], ours: dict) -> list[Problem]:
    """What is wrong with each worker's answer to look(), against ours (fingerprint())."""
    problems = []
    for worker, answer in sorted(answers.items()):
        for path in answer["missing"]:
            problems.append(Problem(f"worker {worker} does not see {path}",
                                    hint="share the folder with every worker at the same path (NFS, sshfs…)"))
        if answer["code"] != ours["code"]:
            problems.append(Problem(f"worker {worker} runs another version of zinebuild",
                                    hint="install the same zinebuild on every machine: the books' bytes depend on it"))
        others = [f"{name} {answer['libraries'].get(name)} (here {mine})" for name, mine in ours["libraries"].items()
                  if answer["libraries"].get(name) != mine]
        if others:
            problems.append(Problem(f"worker {worker} runs other libraries: {', '.join(others)}",
                                    hint="install the same versions on every machine: the books' bytes depend on them"))
    return problems
