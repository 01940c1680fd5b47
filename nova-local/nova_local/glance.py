"""A read-only Glance v2 over Nova's own GlanceFixture, so clients can find an image to boot.

``GET /image`` (versions), ``GET /image/v2/images`` (filters ``status``, ``name``,
``visibility``, ``disk_format``; ``limit``/``marker``; newest first as Glance sorts by default)
and ``GET /image/v2/images/{id}``. The images are the fixture's, as Nova sees them: snapshots
that shelve creates appear and disappear exactly as Nova's image API calls make them.
"""

import datetime
from urllib.parse import parse_qs

from nova_local.keystone import error, json_response

# Glance's core image attributes; everything else in the fixture's `properties` is flattened
# into the image as additional properties, as Glance v2 shows them.
_CORE = ("id", "name", "status", "visibility", "protected", "disk_format", "container_format",
         "size", "min_ram", "min_disk", "tags", "checksum", "owner", "os_hidden")


def _iso(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def to_v2(image, base_url):
    """A fixture image dict as Glance v2 renders it."""
    out = {k: image.get(k) for k in _CORE}
    out["status"] = (image.get("status") or "active").lower()
    out["visibility"] = image.get("visibility") or ("public" if image.get("is_public") else "private")
    out["protected"] = bool(image.get("protected"))
    out["os_hidden"] = bool(image.get("os_hidden"))
    out["tags"] = list(image.get("tags") or [])
    out["created_at"] = _iso(image.get("created_at"))
    out["updated_at"] = _iso(image.get("updated_at"))
    for k, v in (image.get("properties") or {}).items():
        out.setdefault(k, v)
    out["self"] = f"/v2/images/{image['id']}"
    out["file"] = f"/v2/images/{image['id']}/file"
    out["schema"] = "/v2/schemas/image"
    return out


class ImageService:
    """``app`` is the WSGI application under ``/image``; ``fixture`` is Nova's GlanceFixture."""

    def __init__(self, fixture, identity, base_url):
        self.fixture = fixture
        self.identity = identity
        self.base_url = base_url

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "").rstrip("/")
        if environ["REQUEST_METHOD"] != "GET":
            return error(start_response, 405, "Method Not Allowed",
                         "nova-local's image service is read-only.")
        if path in ("", "/versions"):
            return json_response(start_response, "200 OK", {"versions": [{
                "id": "v2.16", "status": "CURRENT",
                "links": [{"rel": "self", "href": f"{self.base_url}/image/v2/"}]}]})
        if self.identity.validate(environ.get("HTTP_X_AUTH_TOKEN")) is None:
            return error(start_response, 401, "Unauthorized",
                         "The request you have made requires authentication.")
        images = sorted((to_v2(i, self.base_url) for i in list(self.fixture.images.values())),
                        key=lambda i: (i["created_at"] or "", i["id"]), reverse=True)
        if path == "/v2/images":
            query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            return json_response(start_response, "200 OK", self._list(images, query))
        if path.startswith("/v2/images/"):
            wanted = path.rsplit("/", 1)[1]
            for image in images:
                if image["id"] == wanted:
                    return json_response(start_response, "200 OK", image)
            return error(start_response, 404, "Not Found", f"No image found with ID {wanted}")
        return error(start_response, 404, "Not Found", f"Could not find: /image{path}")

    @staticmethod
    def _list(images, query):
        for key in ("status", "name", "visibility", "disk_format"):
            if key in query:
                images = [i for i in images if str(i.get(key)) == query[key]]
        if "marker" in query:
            ids = [i["id"] for i in images]
            images = images[ids.index(query["marker"]) + 1:] if query["marker"] in ids else []
        limit = int(query.get("limit", 25))
        page = images[:limit]
        body = {"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
        if len(images) > limit:
            body["next"] = f"/v2/images?marker={page[-1]['id']}&limit={limit}"
        return body
