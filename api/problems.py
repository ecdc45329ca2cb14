"""One error format for every failure: RFC 9457 problem details, with a stable code, a
message in Arabic and French, and the field or reasons at fault. No stack trace leaves."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cases.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from rules.reasons import Text
from workflows.engine import ActionBlocked

log = logging.getLogger("coopflow.api")

MEDIA_TYPE = "application/problem+json"


def problem(status: int, code: str, message: Text, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://coopflow.odco.ma/problems/{code}",
        "title": message.fr,
        "status": status,
        "code": code,
        "message": message.as_dict(),
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _fields(errors: list[Any]) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": str(e.get("msg", ""))}
        for e in errors
    ]


def install(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return problem(404, "not_found", Text(fr=f"Introuvable : {exc.kind} {exc.key}.",
                                              ar=f"غير موجود: {exc.kind} {exc.key}."))

    @app.exception_handler(Conflict)
    async def _conflict(_: Request, exc: Conflict) -> JSONResponse:
        return problem(
            409, "stale_version",
            Text(fr="Le dossier a été modifié entre-temps ; rechargez-le avant d'agir.",
                 ar="تم تعديل الملف في الأثناء؛ يرجى إعادة تحميله قبل المتابعة."),
            current_version=exc.current_version,
        )

    @app.exception_handler(ActionBlocked)
    async def _blocked(_: Request, exc: ActionBlocked) -> JSONResponse:
        return problem(
            409, "action_blocked",
            Text(fr=f"L'action « {exc.trigger} » n'est pas possible.",
                 ar=f"الإجراء «{exc.trigger}» غير ممكن."),
            reasons=[r.as_dict() for r in exc.reasons],
        )

    @app.exception_handler(TooMany)
    async def _too_many(_: Request, exc: TooMany) -> JSONResponse:
        response = problem(429, "too_many_requests",
                           Text(fr=f"Trop de tentatives ; réessayez dans {exc.retry_after} s.",
                                ar=f"محاولات كثيرة؛ أعيدوا المحاولة بعد {exc.retry_after} ثانية."),
                           retry_after=exc.retry_after)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(Forbidden)
    async def _forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return problem(403, "forbidden", Text(fr=f"Non autorisé : {exc}.", ar=f"غير مسموح: {exc}."))

    @app.exception_handler(Invalid)
    async def _invalid(_: Request, exc: Invalid) -> JSONResponse:
        return problem(422, "invalid_input", Text(fr="Données invalides.", ar="معطيات غير صالحة."),
                       errors=_fields(exc.errors))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(422, "invalid_input", Text(fr="Données invalides.", ar="معطيات غير صالحة."),
                       errors=_fields(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 401:
            return problem(401, "unauthenticated",
                           Text(fr="Authentification requise.", ar="يلزم تسجيل الدخول."))
        return problem(exc.status_code, f"http_{exc.status_code}",
                       Text(fr=str(exc.detail), ar=str(exc.detail)))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        request_id = uuid.uuid4().hex
        log.exception("unhandled error %s on %s %s", request_id, request.method, request.url.path)
        return problem(500, "internal_error",
                       Text(fr="Erreur interne ; l'incident est enregistré.",
                            ar="خطأ داخلي؛ تم تسجيل الحادث."),
                       request_id=request_id)
