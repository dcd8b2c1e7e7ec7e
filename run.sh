#!/usr/bin/env bash
# Run Hearth: install, compile translations, migrate, add the demo data to an empty database, then
# serve the portal on http://127.0.0.1:5000 with the notification worker alongside (both stop together).
# DATABASE_URL selects the database (default: SQLite in instance/hearth.db); PORT changes the port.
set -euo pipefail
cd "$(dirname "$0")"

scripts/bootstrap.sh
.venv/bin/python scripts/compile_translations.py
flask=(.venv/bin/python -m flask --app wsgi)  # an array, so "$!" below is the Python process itself

"${flask[@]}" db upgrade
"${flask[@]}" seed-demo --if-empty

worker_pid=""
server_pid=""
mail_pid=""
stop() {
  trap - EXIT INT TERM
  for pid in $server_pid $worker_pid $mail_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $server_pid $worker_pid $mail_pid; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Without an SMTP server of your own, emails (password resets, invitations, reminders) go to a
# local mail sink and land as files in instance/mail/new, so every email a person triggers is readable.
if [ -z "${MAIL_HOST:-}" ]; then
  mkdir -p instance
  .venv/bin/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Mailbox instance/mail &
  mail_pid=$!
  export MAIL_HOST=127.0.0.1 MAIL_PORT=8025
  echo "Emails are delivered to instance/mail/new (local mail sink on 127.0.0.1:8025)."
fi

if "${flask[@]}" notify-worker --help >/dev/null 2>&1; then
  "${flask[@]}" notify-worker &
  worker_pid=$!
  echo "Notification worker started (pid $worker_pid)."
else
  echo "Note: 'flask notify-worker' is not available; notifications stay queued until a worker runs."
fi

port=${PORT:-5000}
echo "Hearth: http://127.0.0.1:${port}  (Ctrl+C stops the portal and the worker)"
"${flask[@]}" run --host 127.0.0.1 --port "$port" --no-reload &
server_pid=$!
wait "$server_pid"
