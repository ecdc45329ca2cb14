"""Every case type the office runs, each version compiled once at import."""

from workflows.engine import Registry
from workflows.name_approval import NAME_APPROVAL

REGISTRY = Registry([NAME_APPROVAL])
