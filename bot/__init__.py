# Inside the Rasa server (which imports this package when it loads the custom NLU components),
# apply the performance fixes of bot/rasa_speedups.py; a no-op in the action server.
from bot import rasa_speedups as _rasa_speedups

_rasa_speedups.apply()
