"""Each shinobi's record as the watch reads it: the missions they went on, as of a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from missiondesk.domain.ranks import Severity
from missiondesk.domain.village import Village


@dataclass(frozen=True)
class Sortie:
    """One history mission from one shinobi's side."""

    mission: str
    departed: dt.date
    returned: dt.date
    led: bool
    injuries: tuple[Severity, ...]  # this shinobi's injuries on it (usually none or one)
    others_hurt: bool  # someone else on the squad was injured

    @property
    def hurt(self) -> bool:
        return bool(self.injuries)

    @property
    def shielded(self) -> bool:
        """Led it and came back the only one hurt: one incident of the shield pattern."""
        return self.led and self.hurt and not self.others_hurt


def records(village: Village, today: dt.date) -> dict[str, list[Sortie]]:
    """Every shinobi's sorties that had returned by `today`, in order of departure.

    History missions returned after `today` are not yet part of the record, so assessing an
    older day gives what the watch would have said on that day.
    """
    ordered = sorted(
        (entry for entry in village.history if entry.returned.date() <= today),
        key=lambda entry: (entry.departed, entry.returned, entry.mission.id),
    )
    found: dict[str, list[Sortie]] = defaultdict(list)
    for entry in ordered:
        hurt: dict[str, list[Severity]] = defaultdict(list)
        for injury in entry.report.injuries:
            hurt[injury.shinobi].append(injury.severity)
        for person in entry.squad.everyone:
            found[person].append(
                Sortie(
                    mission=entry.mission.id,
                    departed=entry.departed.date(),
                    returned=entry.returned.date(),
                    led=person == entry.squad.leader,
                    injuries=tuple(hurt.get(person, ())),
                    others_hurt=any(other != person for other in hurt),
                )
            )
    return dict(found)
