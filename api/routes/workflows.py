from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import ActorDep
from cases.errors import NotFound
from workflows.diagram import render_svg
from workflows.registry import REGISTRY

router = APIRouter(prefix="/api/v1/workflows", tags=["workflows"])


@router.get("")
def list_workflows(actor: ActorDep) -> list[dict[str, Any]]:
    """Every case type, its version, states and transitions: the rules as data, with the
    JSON schema (and an example) of the data that opens a case and of each step's data."""
    del actor
    return [
        {
            "key": wf.key, "version": wf.version, "title": wf.title.as_dict(), "prefix": wf.prefix,
            "opening_schema": wf.opening.model_json_schema() if wf.opening else None,
            "states": [{"name": s.name, "title": s.title.as_dict(), "final": s.final,
                        "deadlines": [{"key": d.key, "basis": d.basis.code, "counting": d.counting.value}
                                      for d in s.deadlines]} for s in wf.states],
            "transitions": [{"trigger": t.trigger, "source": list(t.source), "dest": t.dest,
                             "roles": sorted(t.roles), "title": t.title.as_dict(),
                             "data_schema": t.data.model_json_schema() if t.data else None}
                            for t in wf.transitions],
        }
        for wf in (c.workflow for c in REGISTRY.latest())
    ]


@router.get("/{key}/diagram.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def diagram(key: str, actor: ActorDep) -> Response:
    """The definition drawn from its own data."""
    del actor
    try:
        wf = REGISTRY.get(key).workflow
    except KeyError:
        raise NotFound("workflow", key) from None
    return Response(render_svg(wf), media_type="image/svg+xml")
