"""Energy, emissions and water of an AI system, with ranges and the coefficients' sources.

For each usage line: IT energy = requests / 1,000 x energy per 1,000 requests; facility energy =
IT energy x PUE, unless the coefficient already includes data-centre overhead. For each
accelerator line: energy = count x hours x maximum power x power fraction, then x PUE.
Emissions = facility energy x grid carbon intensity. Water on site = the coefficient's own water
per request where it has one, else IT energy x WUE. Low, central and high results combine the
low, central and high ends of every factor; water used to generate the electricity is not counted.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from vigie.ai.answers import AnswerProblem, AnswersError, parse_document, read_text
from vigie.ai.footprint_data import (
    Coefficients,
    Scenario,
    Span,
    SystemDescription,
    load_coefficients,
)


class FootprintError(ValueError):
    """A scenario names a task, hardware, country, PUE or WUE that has no cited coefficient."""

    def __init__(self, code: str, **params: str) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")


def _lookup(table: dict[str, Any], key: str, code: str) -> Any:
    if key not in table:
        raise FootprintError(code, name=key, choices=", ".join(sorted(table)))
    return table[key]


def _factor(value: str | float, table: dict[str, Any], code: str) -> tuple[Span, str]:
    if isinstance(value, str):
        found = _lookup(table, value, code)
        return Span(low=found.low, central=found.central, high=found.high), found.source
    return Span.point(float(value)), "user"


def _grid(scenario: Scenario, coefficients: Coefficients) -> tuple[Span, str, str]:
    if scenario.grid_g_per_kwh is not None:
        return Span.point(scenario.grid_g_per_kwh), "user", scenario.grid_source or "user"
    country = (scenario.country or "WORLD").upper()
    found = _lookup(coefficients.grid_g_per_kwh, country, "ai_fp_unknown_country")
    return Span.point(found.value), found.source, found.name


def _usage_lines(
    scenario: Scenario, coefficients: Coefficients, pue: Span, wue: Span
) -> list[dict[str, Any]]:
    lines = []
    for usage in scenario.usage:
        task = _lookup(coefficients.tasks, usage.task, "ai_fp_unknown_task")
        thousands = usage.requests_per_year / 1000
        it_energy = task.kwh_per_1000.scaled(thousands)
        facility = it_energy if task.includes_overhead else it_energy.times(pue)
        water = (
            task.water_l_per_1000.scaled(thousands)
            if task.water_l_per_1000 is not None
            else it_energy.times(wue)
        )
        lines.append(
            {
                "kind": "usage",
                "item": usage.task,
                "quantity": usage.requests_per_year,
                "energy_kwh": facility,
                "water_l": water,
                "source": task.source,
                "range_published": task.range_published,
                "includes_overhead": task.includes_overhead,
            }
        )
    return lines


def _accelerator_lines(
    scenario: Scenario, coefficients: Coefficients, pue: Span, wue: Span
) -> list[dict[str, Any]]:
    lines = []
    for line in scenario.accelerators:
        hardware = _lookup(coefficients.hardware, line.hardware, "ai_fp_unknown_hardware")
        it_energy = line.power_fraction.scaled(line.count * line.hours_per_year * hardware.watts)
        it_energy = it_energy.scaled(1 / 1000)
        lines.append(
            {
                "kind": "accelerators",
                "item": line.hardware,
                "quantity": line.count * line.hours_per_year,
                "energy_kwh": it_energy.times(pue),
                "water_l": it_energy.times(wue),
                "source": hardware.source,
                "range_published": line.power_fraction.low != line.power_fraction.high,
                "includes_overhead": False,
            }
        )
    return lines


def _total(lines: list[dict[str, Any]], key: str) -> Span:
    total = Span.point(0.0)
    for line in lines:
        total = total.plus(line[key])
    return total


def compute_scenario(scenario: Scenario, coefficients: Coefficients) -> dict[str, Any]:
    """Energy (kWh), emissions (kgCO2e) and on-site water (L) per year, as low/central/high."""
    pue, pue_source = _factor(scenario.pue, coefficients.pue, "ai_fp_unknown_pue")
    wue, wue_source = _factor(scenario.wue, coefficients.wue, "ai_fp_unknown_wue")
    grid, grid_source, grid_name = _grid(scenario, coefficients)
    lines = _usage_lines(scenario, coefficients, pue, wue)
    lines += _accelerator_lines(scenario, coefficients, pue, wue)
    energy = _total(lines, "energy_kwh")
    for line in lines:
        line["emissions_kg"] = line["energy_kwh"].times(grid).scaled(1 / 1000)
    return {
        "energy_kwh": energy,
        "emissions_kg": energy.times(grid).scaled(1 / 1000),
        "water_l": _total(lines, "water_l"),
        "lines": lines,
        "factors": {
            "pue": {"value": pue, "source": pue_source},
            "wue_l_per_kwh": {"value": wue, "source": wue_source},
            "grid_g_per_kwh": {"value": grid, "source": grid_source, "area": grid_name},
        },
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Span):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def compute_footprint(
    system: SystemDescription, coefficients: Coefficients | None = None
) -> dict[str, Any]:
    """The footprint of the base scenario and of each option, with the sources cited."""
    coeffs = coefficients or load_coefficients()
    base = compute_scenario(system, coeffs)
    options = []
    for name, scenario in system.option_scenarios():
        result = compute_scenario(scenario, coeffs)
        central = base["emissions_kg"].central
        result["emissions_vs_base"] = result["emissions_kg"].central / central if central else None
        options.append({"name": name, **result})
    cited = {line["source"] for r in [base, *options] for line in r["lines"]}
    cited |= {f["source"] for r in [base, *options] for f in r["factors"].values()}
    document: dict[str, Any] = _plain(
        {
            "system": system.name,
            "coefficients_version": coeffs.version,
            "base": base,
            "options": options,
            "sources": {
                k: coeffs.sources[k].model_dump() for k in sorted(cited) if k in coeffs.sources
            },
        }
    )
    return document


def load_system(path: str) -> SystemDescription:
    """Read and validate a system description (YAML or JSON); AnswersError lists problems."""
    document = parse_document(path, read_text(path))
    try:
        return SystemDescription.model_validate(document)
    except ValidationError as exc:
        problems = [
            AnswerProblem(
                "/" + "/".join(str(p) for p in error["loc"]),
                "ai_problem_invalid",
                {"error": error["msg"]},
            )
            for error in exc.errors()
        ]
        raise AnswersError(path, problems) from exc
