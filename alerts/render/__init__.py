"""Pure rendering of alerts: email, webhook and chat payloads, digests. Channels only transport."""
