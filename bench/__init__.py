"""`make bench`: Loupe at store and chain scale (see README, Performance).

Run as `python -m bench`. Data lives in its own PostgreSQL database, `loupe_bench` (one schema
per size, generated once and reused); pages are measured through gunicorn with the production
settings and a small HTTP load client, background jobs directly in a subprocess. A missed
target makes the run exit non-zero. Benchmarks are not tests: `make test` never runs them.
"""
