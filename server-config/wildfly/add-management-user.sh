#!/usr/bin/env bash
# Adds users to a provisioned WildFly's ManagementRealm (mgmt-users.properties): they may log into
# the web console (http://127.0.0.1:9990/console) and connect JMX tools over the management
# interface. For local runs and tests only. Usage:
#   server-config/wildfly/add-management-user.sh <server-dir> <user>:<password> [...]
# In production, run <server>/bin/add-user.sh -m yourself with a strong password, or map the
# management interface to your directory.
set -euo pipefail
server=$1; shift
for entry in "$@"; do
  IFS=: read -r user password <<< "$entry"
  "$server/bin/add-user.sh" -m -s -u "$user" -p "$password" -sc "$server/standalone/configuration" >/dev/null
done
