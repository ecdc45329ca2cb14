from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/api/v1/health")
def health() -> dict[str, str]:
    """Unauthenticated: load balancers and the demo script poll it."""
    return {"status": "ok"}
