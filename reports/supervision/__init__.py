"""居务监督委员会: supervisors co-sign each published month's signed tree head with keys the
server never holds, so a server that rebuilds history cannot also forge their word.

The bytes a supervisor signs are `message.cosign_message` (documented in README,
"Supervisors co-sign"); `tools/cosign.py` makes them on the supervisor's own machine and
`static/supervision/cosign.js` in their browser."""
