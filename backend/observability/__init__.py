"""Request ids, JSON logs, Prometheus metrics and security headers: what operators see."""
