#!/usr/bin/env bash
# Secrets of the docker compose deployment, made on this machine and never committed (both paths are git-ignored):
#
#   .env                      ORCHESTRATOR_JWT_SECRET, the HS256 secret every node verifies tokens with; docker compose
#                             reads it from here. Created once with 32 random bytes; kept when it exists.
#   .secrets/metrics.token    a JWT signed with that secret, scope interactions:metrics, valid for 90 days: the bearer
#                             token Prometheus sends to GET /metrics (config/prometheus/prometheus.yml). Minted again at
#                             every run; Prometheus reads the file at every scrape, so no restart is needed.
#
# Run it before the first `docker compose up`, and again before the token expires.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
env_file=$root/.env
token_file=$root/.secrets/metrics.token
token_days=90

umask 077
if [[ ! -f $env_file ]] || ! grep -q '^ORCHESTRATOR_JWT_SECRET=' "$env_file"; then
  echo "ORCHESTRATOR_JWT_SECRET=$(openssl rand -hex 32)" >>"$env_file"
  echo "wrote a new ORCHESTRATOR_JWT_SECRET to $env_file"
fi
secret=$(sed -n 's/^ORCHESTRATOR_JWT_SECRET=//p' "$env_file" | tail -n 1)
# The server refuses HS256 secrets under 32 bytes: better to say so here than in three failing containers.
((${#secret} >= 32)) || { echo "compose-secrets.sh: ORCHESTRATOR_JWT_SECRET in $env_file is shorter than 32 bytes" >&2; exit 1; }

base64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

header=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | base64url)
expires=$(($(date +%s) + token_days * 86400))
payload=$(printf '{"sub":"prometheus","scope":"interactions:metrics","exp":%d}' "$expires" | base64url)
signature=$(printf '%s' "$header.$payload" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary | base64url)
mkdir -p "$(dirname "$token_file")"
printf '%s' "$header.$payload.$signature" >"$token_file"
# Prometheus runs as user nobody in its container: it must be able to read the token.
chmod 644 "$token_file"
chmod 755 "$(dirname "$token_file")"
echo "wrote $token_file (scope interactions:metrics, expires $(date -u -d "@$expires" +%F))"
