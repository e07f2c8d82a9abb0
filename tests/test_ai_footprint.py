"""Environmental footprint: hand-computed cases, cited coefficients, options and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from vigie.ai.answers import AnswersError
from vigie.ai.footprint import FootprintError, compute_footprint, load_system
from vigie.ai.footprint_data import Span, SystemDescription, load_coefficients
from vigie.ai.footprint_report import significant
from vigie.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "aia" / "footprint-chatbot.yaml"
runner = CliRunner()


def test_every_coefficient_cites_a_source() -> None:
    coefficients = load_coefficients()
    assert coefficients.grid_g_per_kwh["WORLD"].value == 475
    assert coefficients.tasks["llm-prompt-gemini-median"].kwh_per_1000.central == 0.24
    assert all(s.citation for s in coefficients.sources.values())


def test_hand_computed_fixture() -> None:
    document = compute_footprint(load_system(str(FIXTURE)))
    lines = {line["item"]: line for line in document["base"]["lines"]}
    # 1,000,000 prompts x 0.24 Wh = 240 kWh, overhead already included (no PUE)
    assert lines["llm-prompt-gemini-median"]["energy_kwh"]["central"] == pytest.approx(240)
    # x 365.477 g/kWh (Germany) = 87.71 kg
    assert lines["llm-prompt-gemini-median"]["emissions_kg"]["central"] == pytest.approx(87.71448)
    # 0.26 mL per prompt = 260 L
    assert lines["llm-prompt-gemini-median"]["water_l"]["central"] == pytest.approx(260)
    # 2,000 x 0.002 kWh = 4 kWh x PUE 1.56 = 6.24 (low 4 x 1.3 = 5.2, high 14 x 1.59 = 22.26)
    assert lines["text-classification"]["energy_kwh"] == pytest.approx(
        {"low": 5.2, "central": 6.24, "high": 22.26}
    )
    # 2 x 1,000 h x 350 W = 700 kWh at full power; x 0.7 x 1.56 = 764.4; x 0.5 x 1.3 = 455
    assert lines["h100-pcie"]["energy_kwh"] == pytest.approx(
        {"low": 455, "central": 764.4, "high": 1113}
    )
    total = document["base"]["energy_kwh"]["central"]
    assert total == pytest.approx(240 + 6.24 + 764.4)
    assert set(document["sources"]) == {
        "codecarbon",
        "google2025",
        "luccioni2024",
        "nvidia-h100",
        "uptime2024",
    }


def test_options_compare_region_and_model() -> None:
    document = compute_footprint(load_system(str(FIXTURE)))
    by_name = {o["name"]: o for o in document["options"]}
    france = by_name["Hosted in France"]
    assert france["energy_kwh"] == document["base"]["energy_kwh"]
    assert france["emissions_vs_base"] == pytest.approx(67.39 / 365.477)
    small = by_name["Small model instead of the chat model"]
    # 1,000 x 0.047 kWh = 47 kWh x 1.56 instead of 240 kWh
    lines = {line["item"]: line for line in small["lines"]}
    assert lines["text-generation-small"]["energy_kwh"]["central"] == pytest.approx(73.32)
    assert small["factors"]["grid_g_per_kwh"]["area"] == "Germany"


def test_user_values_override_profiles() -> None:
    system = SystemDescription.model_validate(
        {
            "name": "x",
            "grid_g_per_kwh": 100,
            "grid_source": "our utility's 2025 disclosure",
            "pue": 1.2,
            "wue": 0.5,
            "usage": [{"task": "text-generation-small", "requests_per_year": 1000}],
        }
    )
    base = compute_footprint(system)["base"]
    assert base["energy_kwh"]["central"] == pytest.approx(0.047 * 1.2)
    assert base["emissions_kg"]["central"] == pytest.approx(0.047 * 1.2 * 0.1)
    assert base["water_l"]["central"] == pytest.approx(0.047 * 0.5)
    assert base["factors"]["grid_g_per_kwh"]["area"] == "our utility's 2025 disclosure"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("country", "ZZ", "ai_fp_unknown_country"),
        ("pue", "made-up", "ai_fp_unknown_pue"),
        ("wue", "made-up", "ai_fp_unknown_wue"),
        (
            "accelerators",
            [{"hardware": "tpu-x", "count": 1, "hours_per_year": 1}],
            "ai_fp_unknown_hardware",
        ),
        ("usage", [{"task": "video", "requests_per_year": 1}], "ai_fp_unknown_task"),
    ],
)
def test_uncited_inputs_are_refused(field: str, value: object, code: str) -> None:
    system = SystemDescription.model_validate({"name": "x", field: value})
    with pytest.raises(FootprintError) as caught:
        compute_footprint(system)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nusage: [{task: text-classification, requests_per_year: -5}]\n",
        "name: x\nextra: 1\n",
        "usage: []\n",
        "name: x\npue: {low: 2, central: 1, high: 3}\n",
        "name: x\naccelerators: [{hardware: h100-sxm, count: 1, hours_per_year: 9000}]\n",
        "- a\n- b\n",
        "name: [unclosed\n",
    ],
)
def test_invalid_descriptions_are_rejected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "system.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnswersError) as caught:
        load_system(str(path))
    assert caught.value.problems


def test_cli_markdown_and_json() -> None:
    md = runner.invoke(app, ["footprint", str(FIXTURE), "--lang", "fr"])
    assert md.exit_code == 0, md.output
    assert "Empreinte environnementale : Benefits office assistant" in md.stdout
    assert "luccioni2024" in md.stdout
    data = runner.invoke(app, ["footprint", str(FIXTURE), "--format", "json"])
    assert data.exit_code == 0, data.output
    assert json.loads(data.stdout)["base"]["energy_kwh"]["central"] == pytest.approx(1010.64)


def test_significant_figures() -> None:
    assert [significant(x) for x in (1010.64, 0.012345, 87.71, 0.0)] == [1000, 0.012, 88, 0.0]


@given(
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=3, max_size=3).map(sorted),
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=3, max_size=3).map(sorted),
)
def test_span_products_stay_ordered(a: list[float], b: list[float]) -> None:
    product = Span(low=a[0], central=a[1], high=a[2]).times(Span(low=b[0], central=b[1], high=b[2]))
    assert product.low <= product.central <= product.high


BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "name: x\nusage: *g\n"
)


def test_yaml_alias_bomb_is_rejected_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(AnswersError):
        load_system(str(path))
