"""The AI assessment forms: Canada AIA answers and bias audit, over uploaded files.

Uploads are saved in a temporary directory under the server's files directory and passed to
the library functions the CLI uses (:func:`score_answers_file`, :func:`run_bias_audit`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from pydantic import BaseModel, Field

from vigie.ai.answers import AnswerProblem, AnswersError
from vigie.ai.bias_ci import BootstrapSettings
from vigie.ai.bias_data import BiasColumns, BiasInputError
from vigie.ai.bias_report import run_bias_audit
from vigie.ai.canada_aia import AiaScore, score_answers_file
from vigie.present import Messages
from vigie.web.settings import WebSettings
from vigie.web.uploads import save_upload

MAX_REPLICATES = 2000


class BiasForm(BaseModel):
    """What the columns of a decisions file mean (as the options of ``vigie bias``)."""

    group: str = Field(min_length=1, max_length=200)
    label: str = Field(min_length=1, max_length=200)
    label_positive: str = Field(min_length=1, max_length=200)
    prediction: str = Field(min_length=1, max_length=200)
    predicted_positive: str = Field(min_length=1, max_length=1000)
    reference: str | None = Field(default=None, max_length=200)
    bootstrap: int = Field(default=200, ge=0, le=MAX_REPLICATES)
    seed: int = Field(default=0, ge=0, le=2**31)
    delimiter: str = Field(default=",", min_length=1, max_length=1)

    def columns(self) -> BiasColumns:
        """The library's column description."""
        return BiasColumns(
            group=self.group,
            label=self.label,
            label_positive=self.label_positive,
            prediction=self.prediction,
            predicted_positive=tuple(v for v in self.predicted_positive.split(",") if v.strip()),
            delimiter=self.delimiter,
        )


@contextmanager
def _scratch(settings: WebSettings) -> Iterator[Path]:
    folder = settings.files_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=folder))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


async def score_aia_upload(
    upload: UploadFile, settings: WebSettings
) -> tuple[AiaScore | None, list[AnswerProblem], list[str]]:
    """(score, problems, unknown names) of uploaded answers; the score is None on problems."""
    with _scratch(settings) as folder:
        path = await save_upload(upload, folder, settings.max_upload_bytes, (".json",))
        return _score(path)


def score_aia_document(
    document: dict[str, Any], settings: WebSettings
) -> tuple[AiaScore | None, list[AnswerProblem], list[str]]:
    """As :func:`score_aia_upload` for answers sent as JSON (the saved file or its data)."""
    with _scratch(settings) as folder:
        path = folder / "answers.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return _score(path)


def _score(path: Path) -> tuple[AiaScore | None, list[AnswerProblem], list[str]]:
    try:
        result, unknown, _hidden = score_answers_file(str(path))
    except AnswersError as exc:
        return None, exc.problems, []
    return result, [], unknown


async def bias_audit_upload(
    upload: UploadFile, form: BiasForm, settings: WebSettings
) -> dict[str, Any]:
    """The bias audit document of uploaded decisions (``BiasInputError`` on bad input)."""
    with _scratch(settings) as folder:
        path = await save_upload(upload, folder, settings.max_upload_bytes, (".csv", ".txt"))
        boot = BootstrapSettings(replicates=form.bootstrap, seed=form.seed)
        document = run_bias_audit(path, form.columns(), form.reference or None, boot)
    document["input"]["file"] = path.name
    return document


async def bias_document(
    upload: UploadFile, form: BiasForm, settings: WebSettings, lang: str
) -> tuple[dict[str, Any] | None, str]:
    """(audit document, '') or (None, the error message in ``lang``)."""
    try:
        return await bias_audit_upload(upload, form, settings), ""
    except BiasInputError as exc:
        return None, Messages(lang)(exc.code, **exc.params)
