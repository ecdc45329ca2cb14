"""One error format for every failure: RFC 9457 problem details (`application/problem+json`),
with a stable `code`, a `message` in Arabic and French, the `field` at fault (422) or the
`reasons` that block a step (409), and a developer's `detail` in English where there is one.
No stack trace leaves the server: an unexpected error answers 500 with the request id under
which it was logged, and every answer carries its request id in `X-Request-ID`."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.schemas import BilingualText, ReasonPublic
from cases.documents import TooLarge, UnsupportedType
from cases.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from rules.reasons import Text
from workflows.engine import ActionBlocked

log = logging.getLogger("coopflow.api")

MEDIA_TYPE = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


# -- the shape, for the OpenAPI document ---------------------------------------------------------


class FieldError(BaseModel):
    field: str = Field(description="Where: a body field (`data.names.0`), or `query.limit`, `path.reference`.")
    code: str = Field(description="What: a stable code (pydantic's error type).")
    message: str = Field(description="In English, for the developer.")


class Problem(BaseModel):
    """RFC 9457 problem details, with the office's extensions."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "https://coopflow.odco.ma/problems/action_blocked", "title": "L'action « approve » n'est pas possible.",
        "status": 409, "code": "action_blocked",
        "message": {"fr": "L'action « approve » n'est pas possible.", "ar": "الإجراء «approve» غير ممكن."},
        "reasons": [{"code": "too_few_founders",
                     "message": {"fr": "Il faut au moins 5 fondateurs.", "ar": "يلزم 5 مؤسسين على الأقل."},
                     "basis": {"code": "law:7", "fr": "loi 112-12, art. 7", "ar": "القانون 112.12، المادة 7"}}],
    }]})

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="The message in French (RFC 9457's short summary).")
    status: int
    code: str = Field(description="Stable, for programs: not_found, forbidden, stale_version, "
                      "action_blocked, invalid_input, unauthenticated, too_many_requests, too_large, "
                      "internal_error...")
    message: BilingualText = Field(description="For people, in French and Arabic.")
    detail: str | None = Field(default=None, description="For developers, in English.")
    field: str | None = Field(default=None, description="422: the first field at fault.")
    errors: list[FieldError] | None = Field(default=None, description="422: every field at fault.")
    reasons: list[ReasonPublic] | None = Field(default=None, description="409: what blocks the step.")
    current_version: int | None = Field(default=None, description="409 stale_version: the case's version now.")
    retry_after: int | None = Field(default=None, description="429: seconds to wait.")
    request_id: str | None = Field(default=None, description="5xx: the id the incident is logged under.")


# -- building one --------------------------------------------------------------------------------


def problem(status: int, code: str, message: Text, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://coopflow.odco.ma/problems/{code}",
        "title": message.fr,
        "status": status,
        "code": code,
        "message": message.as_dict(),
        **{k: v for k, v in extra.items() if v is not None},
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field(loc: Any) -> str:
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


def _fields(errors: list[Any]) -> list[dict[str, Any]]:
    return [
        {"field": _field(e.get("loc")), "code": str(e.get("type") or "invalid"), "message": str(e.get("msg", ""))}
        for e in errors
    ]


def _invalid(errors: list[Any]) -> JSONResponse:
    fields = _fields(errors)
    return problem(422, "invalid_input",
                   Text(fr="Données invalides : voyez les champs en cause.",
                        ar="معطيات غير صالحة: انظروا الحقول المعنية."),
                   field=fields[0]["field"] if fields else None, errors=fields)


_KINDS: dict[str, Text] = {
    "case": Text(fr="dossier", ar="الملف"),
    "cooperative": Text(fr="coopérative", ar="التعاونية"),
    "user": Text(fr="utilisateur", ar="المستخدم"),
    "workflow": Text(fr="type de dossier", ar="نوع الملف"),
    "delegation": Text(fr="délégation", ar="المندوبية"),
    "notification": Text(fr="notification", ar="الإشعار"),
    "document": Text(fr="document", ar="الوثيقة"),
    "route": Text(fr="adresse", ar="العنوان"),
}

# Statuses raised by the framework itself (or by `HTTPException`), with their stable codes.
_HTTP: dict[int, tuple[str, Text]] = {
    400: ("bad_request", Text(fr="Requête mal formée.", ar="طلب غير سليم.")),
    401: ("unauthenticated", Text(fr="Authentification requise (jeton absent, invalide ou expiré).",
                                  ar="يلزم تسجيل الدخول (رمز غائب أو غير صالح أو منتهي الصلاحية).")),
    403: ("forbidden", Text(fr="Accès refusé.", ar="الولوج مرفوض.")),
    404: ("not_found", Text(fr="Adresse introuvable.", ar="العنوان غير موجود.")),
    405: ("method_not_allowed", Text(fr="Méthode non permise pour cette adresse.",
                                     ar="الطريقة غير مسموح بها لهذا العنوان.")),
    406: ("not_acceptable", Text(fr="Format de réponse non disponible.", ar="صيغة الجواب غير متوفرة.")),
    413: ("too_large", Text(fr="Envoi trop volumineux.", ar="الإرسال كبير جدا.")),
    415: ("unsupported_media_type", Text(fr="Type de contenu non accepté.", ar="نوع المحتوى غير مقبول.")),
    429: ("too_many_requests", Text(fr="Trop de requêtes ; réessayez plus tard.",
                                    ar="طلبات كثيرة؛ أعيدوا المحاولة لاحقا.")),
    503: ("unavailable", Text(fr="Service momentanément indisponible.", ar="الخدمة غير متوفرة مؤقتا.")),
}

_INTERNAL = Text(fr="Erreur interne ; l'incident est enregistré sous le numéro indiqué.",
                 ar="خطأ داخلي؛ تم تسجيل الحادث تحت الرقم المبين.")


def request_id(request: Request) -> str:
    """The id `RequestId` gave this request (a fresh one if it did not run)."""
    rid = getattr(request.state, "request_id", None)
    return rid if isinstance(rid, str) else uuid.uuid4().hex


def _nul_in(value: Any, where: str) -> str | None:
    """Where a NUL character hides in a parsed JSON value (`data.names.0`), if anywhere."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return where
        found = _nul_in(item, f"{where}.{key}" if where else str(key))
        if found is not None:
            return found
    return None


def _nul_in_form(encoded: bytes, prefix: str) -> str | None:
    if b"%00" not in encoded.lower() and b"\x00" not in encoded:
        return None
    for name, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return f"{prefix}{name}"
    return prefix.rstrip(".") or "body"


def _nul_field(scope: Scope, content_type: bytes, body: bytes | None) -> str | None:
    """The field of a request that carries a NUL character: no text of the office holds one,
    and PostgreSQL refuses to store or compare it (a 500 otherwise)."""
    if "\x00" in scope.get("path", ""):
        return "path"
    found = _nul_in_form(scope.get("query_string", b""), "query.")
    if found is not None or not body:
        return found
    if content_type.startswith(_FORM):
        return _nul_in_form(body, "")
    if b"\\u0000" in body or b"\x00" in body:
        try:
            return _nul_in(json.loads(body), "")
        except ValueError:
            return None  # not JSON: the route's own validation answers
    return None


_JSON = b"application/json"
_FORM = b"application/x-www-form-urlencoded"


class RejectNul:
    """Pure ASGI middleware: a NUL character in the path, the query, a JSON or a form body is
    invalid input (422, with the field), before any route or database sees it. Uploads
    (multipart) are the routes' own business: a PDF holds NUL bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"").lower()
        body: bytes | None = None
        if content_type.startswith((_JSON, _FORM)) or b"+json" in content_type:
            chunks, more = [], True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
            body = b"".join(chunks)
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if replayed:
                    return await receive()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            receive = replay
        field = _nul_field(scope, content_type, body)
        if field is None:
            await self.app(scope, receive, send)
            return
        response = _invalid([{"loc": field.split("."), "type": "nul_character",
                              "msg": "a NUL character (\\u0000) has no place in the office's texts"}])
        await response(scope, receive, send)


class RequestId:
    """Pure ASGI middleware: every request gets an id (the caller's `X-Request-ID` if it is a
    sane token, else a new one), kept in `request.state` and sent back in `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")
        rid = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        await self.app(scope, receive, send_with_id)


def install(app: FastAPI) -> None:
    app.add_middleware(RejectNul)
    app.add_middleware(RequestId)  # added last: outermost, so that every answer carries the id
    document(app)

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        kind = _KINDS.get(exc.kind, Text(fr=exc.kind, ar=exc.kind))
        return problem(404, "not_found", Text(fr=f"Introuvable : {kind.fr} « {exc.key} ».",
                                              ar=f"غير موجود: {kind.ar} «{exc.key}»."),
                       detail=f"{exc.kind} {exc.key!r} not found (or outside your delegation)")

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
        text = getattr(exc, "text", None)
        message = text if isinstance(text, Text) else Text(
            fr="Votre rôle ou votre délégation ne permet pas cette opération.",
            ar="دوركم أو مندوبيتكم لا يسمح بهذه العملية.",
        )
        return problem(403, "forbidden", message, detail=str(exc))

    @app.exception_handler(TooLarge)
    async def _too_large(_: Request, exc: TooLarge) -> JSONResponse:
        mib = exc.limit / 1024 / 1024
        fr, ar = (f"{mib:g} Mio", f"{mib:g} ميغابايت") if mib >= 1 else (f"{exc.limit} octets", f"{exc.limit} بايت")
        return problem(413, "too_large", Text(fr=f"Fichier trop volumineux (au plus {fr}).",
                                              ar=f"الملف كبير جدا (الحد الأقصى {ar})."),
                       limit=exc.limit, field="file", detail=str(exc),
                       errors=[{"field": "file", "code": "too_large", "message": str(exc)}])

    @app.exception_handler(UnsupportedType)
    async def _unsupported(_: Request, exc: UnsupportedType) -> JSONResponse:
        allowed = ", ".join(exc.allowed)
        return problem(415, "unsupported_media_type",
                       Text(fr=f"Type de fichier non accepté ({exc.found or 'inconnu'}) ; acceptés : {allowed}.",
                            ar=f"نوع الملف غير مقبول ({exc.found or 'غير معروف'})؛ الأنواع المقبولة: {allowed}."),
                       allowed=list(exc.allowed), field="file", detail=str(exc),
                       errors=[{"field": "file", "code": "unsupported_media_type", "message": str(exc)}])

    @app.exception_handler(Invalid)
    async def _invalid_input(_: Request, exc: Invalid) -> JSONResponse:
        return _invalid(exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _invalid(list(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        code, message = _HTTP.get(status, (f"http_{status}", Text(fr=f"Erreur HTTP {status}.",
                                                                  ar=f"خطأ HTTP {status}.")))
        rid = None
        if status >= 500:
            rid = request_id(request)
            log.error("HTTP %s %s on %s %s: %s", status, rid, request.method, request.url.path, exc.detail)
        response = problem(status, code, message, detail=str(exc.detail), request_id=rid)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        # Runs in Starlette's outermost middleware, after `RequestId` has unwound: the id is
        # set on this answer here.
        rid = request_id(request)
        log.exception("unhandled error %s on %s %s", rid, request.method, request.url.path)
        response = problem(500, "internal_error", _INTERNAL, request_id=rid)
        response.headers[REQUEST_ID_HEADER] = rid
        return response


# -- the OpenAPI document ------------------------------------------------------------------------


def _problem_content(example: dict[str, Any] | None = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": "#/components/schemas/Problem"}}
    if example is not None:
        media["example"] = example
    return {MEDIA_TYPE: media}


def _example(status: int, code: str, message: Text, **extra: Any) -> dict[str, Any]:
    return {"type": f"https://coopflow.odco.ma/problems/{code}", "title": message.fr, "status": status,
            "code": code, "message": message.as_dict(), **extra}


def _document_errors(schema: dict[str, Any]) -> None:
    """Every operation answers its errors as problems: 401 when it needs a token, 404 when
    its path names something, 422 when it takes input, any other 4xx (403, 409, 413, 415,
    429), and 5xx with a request id."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components["Problem"] = problem_schema
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            params = operation.get("parameters", [])
            takes_input = bool(params) or "requestBody" in operation
            responses.pop("422", None)
            if operation.get("security"):
                responses["401"] = {"description": "Not signed in, or the token is invalid or expired.",
                                    "content": _problem_content(_example(401, *_HTTP[401]))}
            if any(p.get("in") == "path" for p in params):
                responses["404"] = {"description": "Not found, or outside the caller's delegation "
                                    "(the two are not told apart).",
                                    "content": _problem_content()}
            if takes_input:
                responses["422"] = {"description": "Invalid input: `field` and `errors` say where and why.",
                                    "content": _problem_content(_example(
                                        422, "invalid_input",
                                        Text(fr="Données invalides : voyez les champs en cause.",
                                             ar="معطيات غير صالحة: انظروا الحقول المعنية."),
                                        field="expected_version",
                                        errors=[{"field": "expected_version", "code": "missing",
                                                 "message": "Field required"}]))}
            responses["4XX"] = {"description": "Refused: 403 (role or delegation), 409 (a blocked step "
                                "with its reasons, or a stale version with the current one), 413, "
                                "415, 429 (with Retry-After).",
                                "content": _problem_content()}
            responses["5XX"] = {"description": "Server error: nothing leaks but the request id the "
                                "incident is logged under (also in X-Request-ID).",
                                "content": _problem_content(_example(500, "internal_error", _INTERNAL,
                                                                     request_id="3f2a…"))}
    if not _mentions(schema.get("paths", {}), "#/components/schemas/HTTPValidationError"):
        components.pop("HTTPValidationError", None)
        if not _mentions(components, "#/components/schemas/ValidationError"):
            components.pop("ValidationError", None)


def _mentions(tree: Any, ref: str) -> bool:
    if isinstance(tree, dict):
        return tree.get("$ref") == ref or any(_mentions(v, ref) for v in tree.values())
    if isinstance(tree, list):
        return any(_mentions(v, ref) for v in tree)
    return False


def document(app: FastAPI) -> None:
    """Wrap `app.openapi` so that the document, built once, describes the problems."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _document_errors(build())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
