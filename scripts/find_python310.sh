#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 supports 3.8-3.10 only): PATH first, then pyenv.
set -u
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
  if command -v "$candidate" >/dev/null 2>&1 && is310 "$candidate"; then command -v "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    path="$(pyenv root)/versions/$version/bin/python3.10"
    if is310 "$path"; then echo "$path"; exit 0; fi
  fi
fi
{
  echo "Python 3.10 was not found, and the bot needs it (Rasa 3.6.21 supports Python 3.8-3.10 only)."
  echo "Install it, then run the command again:"
  echo "  - with pyenv:                 pyenv install 3.10.13"
  echo "  - or from your distribution:  apt-get install python3.10 python3.10-venv  (Ubuntu: deadsnakes PPA)"
} >&2
exit 1
