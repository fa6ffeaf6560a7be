"""Inbound messaging channels: webhooks and mail intake store events; a job makes them cases."""
