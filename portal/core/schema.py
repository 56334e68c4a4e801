"""OpenAPI: the error answers that every operation can give, documented in one place.

A postprocessing hook of drf-spectacular adds, where a view did not document them itself, with the
API's one error body (portal.core.api.ApiErrorSerializer):

- 400 on every operation: the input guard refuses NUL and over-long query values anywhere, and a
  body that does not parse;
- 401 where the operation authenticates (a missing token where one is needed, or a bad token);
  403 where it needs a logged-in user, or writes with a browser session (CSRF);
- 404 where the path names an object, and on paginated lists (a page after the last one);
- 415 where the operation takes a body (another Content-Type);
- 429 where the view is throttled (the answer carries Retry-After).
"""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Mã lỗi ổn định, ví dụ procedure_not_found."},
        "message": {"type": "string", "description": "Thông báo bằng tiếng Việt."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "Lỗi theo từng trường, nếu có.",
        },
    },
    "required": ["code", "message"],
}
DESCRIPTIONS = {
    "400": "Dữ liệu không hợp lệ (kể cả ký tự NUL, tham số quá dài, số trang sai)",
    "401": "Chưa đăng nhập hoặc token không hợp lệ (WWW-Authenticate: Token)",
    "403": "Không có quyền (hoặc phiên trình duyệt thiếu CSRF token)",
    "404": "Không tìm thấy",
    "415": "Định dạng dữ liệu (Content-Type) không được hỗ trợ",
    "429": "Quá nhiều yêu cầu, thử lại sau (xem Retry-After)",
}
UNSAFE = {"post", "put", "patch", "delete"}


def _throttled_views(generator) -> set[tuple[str, str]]:
    found = set()
    try:
        endpoints = generator._get_paths_and_endpoints()
    except Exception:  # noqa: BLE001 - private API of drf-spectacular: document without 429
        return found
    for path, _regex, method, view in endpoints:
        if getattr(view, "throttle_classes", None):
            found.add((path, method.lower()))
    return found


def document_common_errors(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", ERROR_COMPONENT)
    throttled = _throttled_views(generator)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            security = operation.get("security") or []
            authenticates = any(security)  # [{}] alone: no authentication at all
            needs_user = authenticates and {} not in security
            parameters = operation.get("parameters", [])
            paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
            statuses = ["400"]
            if authenticates:
                statuses.append("401")
            if needs_user or (authenticates and method in UNSAFE):
                statuses.append("403")
            if "{" in path or paginated:
                statuses.append("404")
            if "requestBody" in operation:
                statuses.append("415")
            if (path, method) in throttled:
                statuses.append("429")
            responses = operation["responses"]
            for status in statuses:
                responses.setdefault(
                    status,
                    {
                        "content": {"application/json": {"schema": ERROR_REF}},
                        "description": DESCRIPTIONS[status],
                    },
                )
            operation["responses"] = dict(sorted(responses.items()))
    return result
