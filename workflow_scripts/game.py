"""Rules of the maze games that the Python side needs too: the engine's action count and the
step at which every episode times out."""

NUM_ACTIONS = 15
TIMEOUT = 500
