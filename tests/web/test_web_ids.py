"""Ids have one safe spelling, `[a-z0-9][a-z0-9._-]*`, enforced where the domain model is
made; and the pages percent-encode every id they put in a link or a form anyway."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from missiondesk.villagefile.parse import parse_village
from missiondesk.web.pages import urlpart
from villagefile.village_texts import STORY_VILLAGE, problems_of
from web.test_web_roles import sign_in


@pytest.mark.parametrize(
    "bad", ["m-00004/../m-00005", "Tani-Scroll", "tani scroll", "-tani", "tani%2fscroll", "é"]
)
def test_a_village_file_refuses_an_id_outside_the_grammar(bad: str) -> None:
    text = STORY_VILLAGE.replace("  - id: tani-scroll\n", f'  - id: "{bad}"\n', 1)
    assert text != STORY_VILLAGE
    problems = problems_of(text)
    assert len(problems) == 1, problems
    line = text.splitlines().index(f'  - id: "{bad}"') + 1
    assert problems[0].startswith(f"village.yaml:{line}: missions[0].id: ")
    assert "is not an id: use a-z, 0-9, '-', '_' and '.'" in problems[0]


@pytest.mark.parametrize("good", ["m-00004", "1.5", "null", "a_b.c-d", "0"])
def test_odd_but_safe_ids_are_accepted(good: str) -> None:
    text = STORY_VILLAGE.replace("  - id: tani-scroll\n", f'  - id: "{good}"\n', 1)
    assert parse_village(text).missions[0].id == good


def test_the_demo_and_a_generated_village_still_pass(tmp_path: Path) -> None:
    from missiondesk.villagefile.generate import generate_village
    from missiondesk.villagefile.parse import load_village
    from missiondesk.villagefile.write import write_village

    load_village(Path(__file__).parents[2] / "src" / "missiondesk" / "data" / "konoha.yaml")
    path = tmp_path / "generated.yaml"
    write_village(generate_village(shinobi=60, missions=12, seed=11), path)
    load_village(path)


TEMPLATES = Path(__file__).parents[2] / "src" / "missiondesk" / "web" / "templates"
URL_ATTRIBUTE = re.compile(r'(?:href|action|hx-get|hx-post)="([^"]*)"')
EXPRESSION = re.compile(r"\{\{(.*?)\}\}")


def test_every_value_in_a_page_link_or_form_is_url_encoded() -> None:
    """Every `{{ ... }}` inside an href, action or hx-get/hx-post goes through `urlpart`
    (or is a path the template built from encoded parts), in every template."""
    unencoded = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for url in URL_ATTRIBUTE.findall(template.read_text()):
            for expression in EXPRESSION.findall(url):
                if "urlpart" not in expression and expression.strip() != "base":
                    unencoded.append(f"{template.name}: {url}")
    assert unencoded == []
    assert "(a.name | urlpart)" in (TEMPLATES / "accounts.html").read_text()


def test_urlpart_makes_one_path_segment() -> None:
    assert (
        urlpart("tani-scroll/../kusa-forbidden-scroll")
        == "tani-scroll%2F..%2Fkusa-forbidden-scroll"
    )
    assert urlpart("a?b#c d") == "a%3Fb%23c%20d"
    assert urlpart("m-00004.v2_x") == "m-00004.v2_x"


def test_an_encoded_path_reaches_no_other_mission(client: TestClient, password: str) -> None:
    sign_in(client, "hokage", password)
    assert 'href="/missions/tani-scroll"' in client.get("/").text
    assert client.get("/missions/tani-scroll%2F..%2Fkusa-forbidden-scroll").status_code == 404
