"""A seeded generator of realistic synthetic partnership portfolios, written as JSON Lines.

What a real registry looks like, and what this imitates:
- phases: most partnerships are being implemented, fewer are in design, initiation or further
  development, and a few records do not say;
- facts: little is known early on and more later (about 15% of facts known in initiation, 70% in
  further development), whole sections are often missing, and known answers lean towards the
  partnership's overall health (a partnership that is doing well tends to answer "yes");
- partners from two to twelve, mostly civil society, government and business;
- funders: about a third of the partnerships have one dominant funder (50% to 85% of the budget);
- perception gaps: about one partnership in seven has partners who rate it very differently.

Usage: python bench/generate.py 10000 -o portfolio-10k.jsonl [--seed 1]
The same seed and count always give the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Iterator, Optional

import orjson

from partnerwise.facts.walker import unwrap
from partnerwise.facts.model import (
    AgreementCoverage,
    Context,
    Exit,
    Governance,
    Leadership,
    Monitoring,
    Resources,
    Scaling,
    Secretariat,
    Strategy,
    Trust,
)

PHASES = [("initiation", 0.14), ("design", 0.2), ("implementation", 0.46), ("further_development", 0.15), (None, 0.05)]
KNOWN_SHARE = {"initiation": 0.15, "design": 0.35, "implementation": 0.55, "further_development": 0.7, None: 0.3}
AREAS = [
    ("food_security", 0.16), ("health", 0.17), ("environment", 0.13), ("education", 0.11), ("water_sanitation", 0.09),
    ("energy", 0.08), ("economic_development", 0.1), ("human_rights", 0.05), ("anti_corruption", 0.04),
    ("other", 0.04), (None, 0.03),
]
SECTORS = [
    ("civil_society", 0.27), ("government", 0.2), ("business", 0.2), ("donor", 0.1), ("community", 0.1),
    ("academic", 0.08), ("multilateral", 0.05),
]
FUNDING_KINDS = [("grant", 0.45), ("public_budget", 0.2), ("private_investment", 0.15), ("in_kind", 0.12), ("loan", 0.08)]
# Flags where "yes" is the bad answer: the healthier the partnership, the likelier "no".
BAD_WHEN_TRUE = {
    "unmet_expectations", "open_disagreements", "relies_on_key_individuals", "overlap_with_other_initiatives",
    "key_stakeholders_missing", "conditions_changed",
}
SECTIONS = {
    "strategy": Strategy, "leadership": Leadership, "secretariat": Secretariat, "governance": Governance,
    "resources": Resources, "exit": Exit, "trust": Trust, "monitoring": Monitoring, "context": Context,
    "scaling": Scaling,
}
WORDS = [
    "River", "Valley", "Coastal", "Green", "Open", "Fair", "Clean", "Urban", "Rural", "Northern", "Southern",
    "Highland", "Delta", "Coffee", "Cocoa", "Rice", "Water", "Health", "Learning", "Energy", "Forest", "Market",
]
NOUNS = ["Alliance", "Partnership", "Initiative", "Coalition", "Platform", "Compact", "Network", "Programme"]
ORG = ["Foundation", "Ministry", "Cooperative", "Holdings", "Institute", "Agency", "Union", "Trust", "Council", "Bank"]


def _pick(rng: random.Random, table: list[tuple[Any, float]]) -> Any:
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


def _flags(rng: random.Random, model, known: float, health: float) -> Optional[dict]:
    """A section of the fact file: each plain field known with probability `known`."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if rng.random() >= known:
            continue
        base = unwrap(info.annotation)
        if base is bool:
            good = rng.random() < health
            out[name] = (not good) if name in BAD_WHEN_TRUE else good
        elif isinstance(base, type) and issubclass(base, Enum):
            choices = [m.value for m in base]
            # Lean ordered scales (low/medium/high) towards the partnership's health.
            if choices == ["low", "medium", "high"]:
                out[name] = choices[min(2, int(health * 3 + rng.uniform(-0.6, 0.6)))] if health > 0.2 else "low"
            else:
                out[name] = rng.choice(choices)
    return out or None


def _partners(rng: random.Random, known: float, health: float, gap: bool) -> list[dict]:
    count = max(2, min(12, int(rng.lognormvariate(1.4, 0.45))))
    partners = []
    used = set()
    for i in range(count):
        sector = _pick(rng, SECTORS)
        name = f"{rng.choice(WORDS)} {rng.choice(ORG)} {i + 1}"
        used.add(name)
        p: dict[str, Any] = {"name": name}
        if rng.random() < known + 0.2:
            p["sector"] = sector
        if rng.random() < known:
            p["roles"] = rng.sample(["convener", "funder", "implementer", "buyer", "extension", "research", "advocacy"], 2)
        for flag in ("role_defined", "role_fits_competence", "management_support", "capacity_matches_role", "core_group"):
            if rng.random() < known:
                p[flag] = rng.random() < health
        if rng.random() < known:
            p["directly_affected"] = sector == "community" or rng.random() < 0.1
        if rng.random() < known:
            p["contributions"] = rng.sample(["funding", "staff", "expertise", "technology", "network", "in_kind", "data", "access"], rng.randint(0 if rng.random() < 0.05 else 1, 3))
        if rng.random() < known:
            p["commitment"] = "low" if rng.random() > health + 0.15 else rng.choice(["medium", "high"])
        if rng.random() < known * 0.6:
            base = 1 + 4 * health
            ratings = {}
            for dim in ("trust", "fairness", "role_clarity", "communication"):
                value = base + rng.uniform(-0.7, 0.7)
                if gap and i == 0 and dim in ("trust", "fairness"):
                    value = 1.5  # the partner that sees things very differently
                ratings[dim] = round(min(5.0, max(1.0, value)) * 2) / 2
            p["ratings"] = ratings
        partners.append(p)
    if gap and "ratings" not in partners[0]:
        partners[0]["ratings"] = {"trust": 1.5, "fairness": 1.5}
        partners[1]["ratings"] = {"trust": 4.5, "fairness": 5.0}
    return partners


def _funders(rng: random.Random, known: float, health: float, partners: list[dict]) -> list[dict]:
    count = rng.choice([1, 2, 2, 3, 3, 4, 5])
    dominant = rng.random() < 0.33
    shares: list[float] = []
    left = 100.0
    for i in range(count):
        if i == 0 and dominant:
            share = rng.choice([50, 55, 60, 65, 70, 75, 80, 85])
        else:
            share = round(rng.uniform(0.1, 0.6) * left)
        share = min(share, left)
        shares.append(float(share))
        left -= share
    funders = []
    for i, share in enumerate(shares):
        name = partners[i]["name"] if i < len(partners) and rng.random() < 0.3 else f"{rng.choice(WORDS)} Fund {i + 1}"
        if any(f["name"] == name for f in funders):
            name = f"{name} ({i + 1})"
        f: dict[str, Any] = {"name": name}
        if rng.random() < known + 0.15:
            f["kind"] = _pick(rng, FUNDING_KINDS)
        if rng.random() < known + 0.2:
            f["share"] = share
        if rng.random() < known:
            f["expectations_transparent"] = rng.random() < health
        funders.append(f)
    return funders


def partnership(rng: random.Random, number: int) -> dict:
    """One realistic partnership's facts (plain data, valid against the fact model)."""
    phase = _pick(rng, PHASES)
    known = KNOWN_SHARE[phase]
    health = min(0.97, max(0.05, rng.betavariate(4, 2)))
    p: dict[str, Any] = {
        "id": f"p{number:06d}",
        "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(NOUNS)} {number}",
    }
    if phase is not None:
        p["phase"] = phase
    area = _pick(rng, AREAS)
    if area is not None:
        p["impact_area"] = area
    if rng.random() < 0.6:
        p["started"] = (dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(4500))).isoformat()
    if rng.random() < 0.5:
        p["description"] = f"Works with {rng.randint(200, 50000):,} people in {rng.randint(1, 9)} districts."
    if rng.random() < 0.9:
        p["partners"] = _partners(rng, known, health, gap=rng.random() < 0.15)
        if rng.random() < 0.85:
            p["funders"] = _funders(rng, known, health, p["partners"])
    if rng.random() < known + 0.25:
        agreement: dict[str, Any] = {"exists": rng.random() < health + (0.2 if phase in ("implementation", "further_development") else -0.3)}
        if agreement["exists"]:
            agreement["form"] = rng.choice(["contract", "mou", "mou", "letter"])
            if rng.random() < known:
                agreement["signed_by_all"] = rng.random() < health + 0.1
            covers = _flags(rng, AgreementCoverage, known, health)
            if covers:
                agreement["covers"] = covers
        p["agreement"] = agreement
    for key, model in SECTIONS.items():
        # Whole sections are often left blank in a registry; the rest are partly filled in.
        if rng.random() < 0.15 + known * 0.4:
            continue
        section = _flags(rng, model, known, health)
        if section:
            p[key] = section
    sec = p.get("secretariat")
    if sec is not None and sec.get("exists") and rng.random() < known:
        sec["staff"] = rng.randint(1, 12)
    res = p.get("resources")
    if res is not None and rng.random() < known:
        res["total_budget"] = float(round(rng.lognormvariate(13, 1.2), -3))
    ex = p.get("exit")
    if ex is not None and rng.random() < known * 0.5:
        ex["end_date"] = (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(3000))).isoformat()
    return p


def generate(count: int, seed: int = 1) -> Iterator[dict]:
    rng = random.Random(seed)
    for number in range(1, count + 1):
        yield partnership(rng, number)


def write_jsonl(path: Path, count: int, seed: int = 1) -> None:
    with open(path, "wb") as f:
        for p in generate(count, seed):
            f.write(orjson.dumps(p))
            f.write(b"\n")


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many partnerships")
    parser.add_argument("-o", "--output", type=Path, help="the JSON Lines file to write (default: standard output)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.output is None:
        out = sys.stdout.buffer
        for p in generate(args.count, args.seed):
            out.write(orjson.dumps(p) + b"\n")
    else:
        write_jsonl(args.output, args.count, args.seed)


if __name__ == "__main__":
    main()
