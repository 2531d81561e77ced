#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1; start them when installed but stopped.
set -u

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python3 -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
fi
if ! pg_up; then
  echo "PostgreSQL is not running on 127.0.0.1:5432 and could not be started." >&2
  echo "Install it (apt-get install postgresql) or set TEST_DATABASE_URL to a server you have." >&2
  exit 1
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting Redis…"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
    for _ in $(seq 1 30); do redis_up && break; sleep 1; done
  fi
fi
if ! redis_up; then
  echo "Redis is not running on 127.0.0.1:6379 and could not be started." >&2
  echo "Install it (apt-get install redis-server) or set TEST_BROKER_URL to a server you have." >&2
  exit 1
fi
