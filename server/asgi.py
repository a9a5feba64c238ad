"""The ASGI entry point uvicorn imports (`server.asgi:app`), configured from the environment."""

from server.api.app import create_app
from server.config import from_env

app = create_app(from_env())
