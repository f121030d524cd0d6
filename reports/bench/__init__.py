"""The parts of `manage.py benchmark` (issue 15 §5): the pages to open and the objects they
show (`pages`), the HTTP and in-process clients and the gunicorn they talk to (`clients`,
`server`), the API, wall-screen, job and PDF figures (`extras`), the locust load run
(`load`, `locustfile`), and the targets, table and JSON (`figures`).

Every time is reported as a ratio to the floor measured in the same run — the signed-in
account page through the same middleware — so figures taken on different machines compare.
"""
