"""A Django test client that calls the API with a personal token, for tests.

api = ApiClient.for_member(user, organization)
response = api.post("/api/v1/systems", {"name": "Credit scoring", "purpose": "…"})
"""

from django.test import Client

from aims.organizations.tokens import issue_token


class ApiClient:
    def __init__(self, secret: str | None):
        self.secret = secret
        self.client = Client()

    @classmethod
    def for_member(cls, user, organization, *, name: str = "test") -> "ApiClient":
        _, secret = issue_token(user=user, organization=organization, name=name)
        return cls(secret)

    def headers(self) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(path, params or {}, **self.headers())

    def post(self, path: str, data=None):
        return self.client.post(
            path,
            data if data is not None else {},
            content_type="application/json",
            **self.headers(),
        )

    def patch(self, path: str, data=None):
        return self.client.patch(
            path,
            data if data is not None else {},
            content_type="application/json",
            **self.headers(),
        )

    def post_form(self, path: str, data: dict):
        """A multipart POST, e.g. evidence with files."""
        return self.client.post(path, data, **self.headers())

    def raw(self, method: str, path: str, body: str, content_type: str = "application/json"):
        return self.client.generic(method, path, body, content_type=content_type, **self.headers())

    def call(self, method: str, path: str, data=None):
        """Any operation, e.g. from :func:`aims.api.urls.operation_access`."""
        if method == "GET":
            return self.get(path)
        if method == "POST":
            return self.post(path, data)
        return self.patch(path, data)
