"""Residents checking their receipts, made visible (issue #16 item 7): how many of a
published month's receipts were looked up by the public (counted, nothing about who),
residents' questions raised by a look-up that went wrong (routed to the auditors,
counted publicly), and the auditors' telephone confirmations of a random sample of the
receipts nobody checked."""
