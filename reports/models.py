# The Reports stage's models arrive with its issue; the shared core is in dealership.
