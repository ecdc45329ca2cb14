"""Every case type the office runs, each version compiled once at import."""

from workflows.accompaniment import ACCOMPANIMENT
from workflows.audit import AUDIT
from workflows.dispute import DISPUTE
from workflows.engine import Registry
from workflows.general_assembly import GENERAL_ASSEMBLY_SUPERVISION
from workflows.name_approval import NAME_APPROVAL
from workflows.registration import REGISTRATION, REGISTRATION_CHANGE

REGISTRY = Registry([GENERAL_ASSEMBLY_SUPERVISION, AUDIT, NAME_APPROVAL, REGISTRATION, REGISTRATION_CHANGE, DISPUTE, ACCOMPANIMENT])
