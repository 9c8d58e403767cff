#!/usr/bin/env bash
# Adds application users to a provisioned WildFly's ApplicationRealm (properties files under
# standalone/configuration), for local runs and tests. Usage:
#   server-config/wildfly/add-users.sh <server-dir> <user>:<password>:<groups> [...]
# groups is a comma-separated list; "outbox-admin" grants the admin API and page.
# In production, run <server>/bin/add-user.sh -a yourself with a strong password, or map the
# application security domain to your directory (LDAP, OIDC): see the README.
set -euo pipefail
server=$1; shift
for entry in "$@"; do
  IFS=: read -r user password groups <<< "$entry"
  "$server/bin/add-user.sh" -a -s -u "$user" -p "$password" -g "$groups" \
    -sc "$server/standalone/configuration" >/dev/null
done
