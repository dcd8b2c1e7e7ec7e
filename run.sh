#!/usr/bin/env bash
# Run Hearth: install, compile translations, migrate, add the demo data to an empty database, then
# serve the portal with gunicorn on http://127.0.0.1:${PORT:-5000} with the notification worker
# alongside (all stop together). DATABASE_URL selects the database (default: SQLite in
# instance/hearth.db); PORT the port; WEB_CONCURRENCY the gunicorn workers (default 4);
# MAIL_SINK_PORT the local mail sink's port (default PORT + 3025, so 8025 beside 5000).
set -euo pipefail
cd "$(dirname "$0")"

port=${PORT:-5000}
workers=${WEB_CONCURRENCY:-4}
sink_default=$((${port//[^0-9]/0} + 3025))
[ "$sink_default" -le 65535 ] || sink_default=$((${port//[^0-9]/0} - 3025))
mail_port=${MAIL_SINK_PORT:-$sink_default}
fail() { echo "run.sh: $*" >&2; exit 1; }
for pair in "PORT=$port" "MAIL_SINK_PORT=$mail_port"; do
  value=${pair#*=}
  if ! [[ $value =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt 65535 ]; then
    fail "${pair%%=*} must be a port number from 1 to 65535 (got '$value')."
  fi
done
[[ $workers =~ ^[0-9]+$ ]] && [ "$workers" -ge 1 ] || fail "WEB_CONCURRENCY must be a number of workers (got '$workers')."

# A port in use would make the server fail after printing an address that answers someone else:
# say so before anything else (and again just before starting, in case it was taken meanwhile).
port_free() {
  "${PYTHON:-python3}" - "$1" <<'PY'
import socket, sys
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does: a closing socket is no obstacle
try:
    sock.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}
check_ports() {
  if ! port_free "$port"; then
    fail "port $port on 127.0.0.1 is already in use (another Hearth, or another program).
Stop it, or choose another port:  PORT=5050 ./run.sh"
  fi
  if [ -z "${MAIL_HOST:-}" ]; then
    [ "$mail_port" != "$port" ] || fail "MAIL_SINK_PORT must differ from PORT ($port)."
    if ! port_free "$mail_port"; then
      fail "the local mail sink's port $mail_port on 127.0.0.1 is already in use.
Choose another one:  MAIL_SINK_PORT=8125 ./run.sh   (or set MAIL_HOST to use your own SMTP server)"
    fi
  fi
}
check_ports

echo "== 1/4 Python packages"
scripts/bootstrap.sh
echo "== 2/4 Translations"
.venv/bin/python scripts/compile_translations.py
flask=(.venv/bin/python -m flask --app wsgi)  # an array, so "$!" below is the Python process itself
echo "== 3/4 Database (migrations)"
"${flask[@]}" db upgrade
echo "== 4/4 Demo data (only into an empty database)"
"${flask[@]}" seed-demo --if-empty
check_ports

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

# Emailed links (password resets, invitations, reminders) point at this server unless BASE_URL says otherwise.
export BASE_URL=${BASE_URL:-http://127.0.0.1:${port}}

# Without an SMTP server of your own, emails go to a local mail sink and land as files in
# instance/mail/new, so every email a person triggers is readable.
if [ -z "${MAIL_HOST:-}" ]; then
  mkdir -p instance
  .venv/bin/python -m aiosmtpd -n -l "127.0.0.1:${mail_port}" -c aiosmtpd.handlers.Mailbox instance/mail &
  mail_pid=$!
  export MAIL_HOST=127.0.0.1 MAIL_PORT=$mail_port
  echo "Emails are delivered to instance/mail/new (local mail sink on 127.0.0.1:${mail_port})."
fi

if "${flask[@]}" notify-worker --help >/dev/null 2>&1; then
  "${flask[@]}" notify-worker &
  worker_pid=$!
  echo "Notification worker started (pid $worker_pid)."
else
  echo "Note: 'flask notify-worker' is not available; notifications stay queued until a worker runs."
fi

# gunicorn, not the Flask development server: the production settings (deploy/gunicorn.conf.py,
# gthread workers) with 4 processes unless WEB_CONCURRENCY says otherwise, and a control socket
# of this checkout's own (a second Hearth on the machine would otherwise take it over).
HOST=127.0.0.1 PORT=$port WEB_CONCURRENCY=$workers .venv/bin/python -m gunicorn --config deploy/gunicorn.conf.py \
    --control-socket instance/gunicorn.ctl wsgi:app &
server_pid=$!
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" || true
    fail "the web server stopped while starting (see the messages above)."
  fi
  if ! port_free "$port"; then
    echo "Hearth: http://127.0.0.1:${port}  (gunicorn, $workers processes; Ctrl+C stops the portal and the worker)"
    break
  fi
  sleep 0.2
done
wait "$server_pid"
