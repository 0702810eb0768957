"""The group's choice of which integration each overlap cluster keeps."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.domain.access import Actor, require_editor
from core.errors import InvalidChoice
from core.storage.audit import record_change
from core.storage.tables import SurvivorChoice
from core.storage.transactions import SURVIVOR_LOCK, write_session


def load_survivor_choices(engine: Engine) -> set[str]:
    """Ids the group explicitly chose to keep in their clusters."""
    with Session(engine) as session:
        return set(session.execute(select(SurvivorChoice.integration_id)).scalars().all())


def save_survivor_choice(engine: Engine, cluster_members: Iterable[str], chosen_id: str, *, actor: Actor) -> None:
    """Record which member a cluster keeps; any earlier choice within the same cluster is replaced.

    Raises:
        PermissionDenied: when the actor is a viewer.
        InvalidChoice: when the chosen id is not a member of the cluster.
    """
    require_editor(actor)
    members = set(cluster_members)
    if chosen_id not in members:
        raise InvalidChoice(f"{chosen_id} is not in this cluster ({', '.join(sorted(members))}): "
                            "keep one of its members.")
    # One choice per cluster: the members' earlier choices are read and replaced under the survivor lock, so two
    # people choosing at the same moment leave the later choice alone in the cluster, never both.
    with write_session(engine, locks=(SURVIVOR_LOCK,), what="the survivor choice") as session:
        previous = sorted(session.execute(select(SurvivorChoice.integration_id).where(
            SurvivorChoice.integration_id.in_(sorted(members)))).scalars().all())
        if previous == [chosen_id]:
            return  # kept already: nothing changes, so nothing is written or recorded
        session.execute(delete(SurvivorChoice).where(SurvivorChoice.integration_id.in_(sorted(members))))
        session.add(SurvivorChoice(integration_id=chosen_id, updated_by=actor.name))
        after = {"kept": chosen_id, "cluster": sorted(members)}
        if previous:
            record_change(session, actor, "update", "survivor_choice", chosen_id,
                          {"kept": previous[0] if len(previous) == 1 else previous, "cluster": sorted(members)}, after,
                          f"Chose {chosen_id} to keep in its cluster instead of {', '.join(previous)}.")
        else:
            record_change(session, actor, "create", "survivor_choice", chosen_id, None, after,
                          f"Chose {chosen_id} to keep in its cluster ({', '.join(sorted(members))}).")
