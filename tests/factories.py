"""Small hand-built records for tests."""

from __future__ import annotations

from datetime import date

from tular.graph.model.records import IKM, Attendance, Records, Teaching, Training

BUNULREJO = "blimbing.bunulrejo"
KESATRIAN = "blimbing.kesatrian"
DINOYO = "lowokwaru.dinoyo"


def ikm(ikm_id: str, kelurahan: str = BUNULREJO, **fields) -> IKM:
    return IKM(ikm_id=ikm_id, name=fields.pop("name", f"Ibu {ikm_id}"), kelurahan_code=kelurahan, **fields)


def teaching(learner: str, teacher: str, day: str, skill: str = "batik", **fields) -> Teaching:
    return Teaching(learner_id=learner, teacher_id=teacher, skill=skill, date=date.fromisoformat(day), **fields)


def training(training_id: str, end: str, *skills: str, **fields) -> Training:
    return Training(training_id=training_id, title=fields.pop("title", f"Pelatihan {training_id}"),
                    skills=skills or ("batik",), end_date=date.fromisoformat(end), **fields)


def small_batik_program() -> Records:
    """Two seeds trained in 2020; s1 teaches a and b, a teaches c, b and s2 both teach d."""
    return Records(
        ikm=[ikm("s1"), ikm("s2"), ikm("a"), ikm("b"), ikm("c", KESATRIAN), ikm("d", DINOYO), ikm("x")],
        trainings=[training("T-BATIK-2020", "2020-08-01", budget_idr=50_000_000)],
        attendance=[Attendance(training_id="T-BATIK-2020", ikm_id=i) for i in ("s1", "s2")]
        + [Attendance(training_id="T-BATIK-2020", ikm_id="x", completed=False)],
        teachings=[
            teaching("a", "s1", "2020-10-01"),
            teaching("b", "s1", "2021-01-15"),
            teaching("c", "a", "2021-06-01"),
            teaching("d", "b", "2022-02-02"),
            teaching("d", "s2", "2022-03-03"),
        ],
    )
