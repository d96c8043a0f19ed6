"""The signed risk assessment of an AI system: "no significant risks identified", by someone
with authority, in the system's present stage (see :func:`aims.risk.services.sign_no_significant_risks`).
"""
