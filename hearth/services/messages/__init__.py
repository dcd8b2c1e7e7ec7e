"""Secure messaging between patients (and their caregivers) and the care team.

Modules: `threads` (the patient's use cases: start, list, view, close), `posting` (`post_message`,
the one write path for every message, staff replies and notes included), `reads` (read marks and
receipts), `pools` (reasons, pools, reply-by), `hours` (business hours), `urgent` (emergency words),
`text` (plain text to safe HTML), `attachments`. The care team's inbox lives in `inbox` and
`workspace*` (another owner).
"""

from hearth.services.messages.posting import add_message, post_message

__all__ = ["add_message", "post_message"]
