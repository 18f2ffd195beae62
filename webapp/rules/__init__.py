"""The rules of the service, in plain Python: no Flask, no forms, no request,
no database session.

Each module takes plain values (a kind, the contact answers, a time) and
returns plain values, so that it can be read, tested and changed on its own:

- ``contact``: the one contact vocabulary (methods, days, time bands,
  outcomes, flags, roles) that the journeys, the due times, the staff rules
  and the labels are all keyed from;
- ``intake``: from a journey's answers to a sealed referral with a due time;
- ``due``: the promise and the safe window;
- ``casework``: the safe-contact rules an officer works under;
- ``sealing`` and ``reference``: the crypto and the references;
- ``credentials``: staff passwords, one-time codes, recovery codes;
- ``audit``: the audit chain's hashing and checking;
- ``reports``: the figures without personal data;
- ``outbox``: when notifications are retried and breach warnings are due.

``tests/unit/test_architecture.py`` and the import-linter contracts in
``.importlinter`` keep web code out of here.
"""
