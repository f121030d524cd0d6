"""Backups: one archive with the database, the media files and a manifest (README, "Backups").

`services.backup_create` writes a `.tar.gz` holding `database.sqlite3` (SQLite's backup API)
or `database.pgdump` (`pg_dump -Fc`), every file under MEDIA_ROOT as `media/<path>`, and
`manifest.json`: when, which database, the applied migration leaf of each app, the row
count of each table and the SHA-256 of each file. `services.backup_restore` checks the
whole archive against its manifest before it changes anything, then restores the database
and the media files and counts the rows again.

The counts and migrations in the manifest are read from the very snapshot that is dumped
(the SQLite copy itself; PostgreSQL's exported snapshot, which pg_dump reuses), so they
describe the archive even while the application keeps writing.

`archive` holds the archive's members and checksums, `databases` the SQLite and PostgreSQL
sides.
"""
