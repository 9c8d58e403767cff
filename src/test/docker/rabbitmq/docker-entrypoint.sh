#!/bin/bash
# Entry point of edupulse-test/rabbitmq: writes /etc/rabbitmq/rabbitmq.conf from the environment,
# then runs the broker in the foreground as the rabbitmq user, logging to standard output.
set -euo pipefail

if [ "${1:0:1}" = '-' ]; then set -- rabbitmq-server "$@"; fi

if [ "$1" != rabbitmq-server ]; then exec "$@"; fi
shift

# Debian's /usr/sbin/rabbitmq-server sends the log to files; the real script is run instead.
server=/usr/lib/rabbitmq/bin/rabbitmq-server

{
  echo 'loopback_users = none'
  echo 'listeners.tcp.default = 5672'
  echo 'management.tcp.port = 15672'
  if [ -n "${RABBITMQ_DEFAULT_USER:-}" ]; then echo "default_user = $RABBITMQ_DEFAULT_USER"; fi
  if [ -n "${RABBITMQ_DEFAULT_PASS:-}" ]; then echo "default_pass = $RABBITMQ_DEFAULT_PASS"; fi
  if [ -n "${RABBITMQ_DEFAULT_VHOST:-}" ]; then echo "default_vhost = $RABBITMQ_DEFAULT_VHOST"; fi
} >/etc/rabbitmq/rabbitmq.conf

cd /var/lib/rabbitmq
export HOME=/var/lib/rabbitmq
if [ "$(id -u)" = 0 ]; then
  chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
  exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$server" "$@"
fi
exec "$server" "$@"
