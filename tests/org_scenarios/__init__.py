"""Organisation scenarios for the policy pack: realistic programs, captured under the
mock engine with the provider's read-backs, judged through the analyzer protocol, and
expected verdicts reasoned from IAM and provider semantics (see ``scenarios.py``)."""
