"""The wire contract: every JSON body, /ws frame and code a client sees, as pydantic models.

REST handlers (server.api), the live hub (server.hub) and the services that build pass views all
use these models, and shared/openapi.json and shared/ws-frames.schema.json are generated from
them. Nothing here reads the database or knows about HTTP or sockets.
"""
