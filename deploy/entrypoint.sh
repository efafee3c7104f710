#!/bin/sh
# The container's entry: bring the database up to date, then start the bot (`run`, the default,
# or `work`). Any other command (`migrate`, `--help`, `sandbox`) goes straight to the bot's CLI.
set -e
case "${1:-run}" in
    run | work)
        python -m bot migrate
        ;;
esac
exec python -m bot "$@"
