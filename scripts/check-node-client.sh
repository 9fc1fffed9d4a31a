#!/usr/bin/env bash
# Manual interoperability check (not part of CI): subscribes to the simulator with an
# off-the-shelf Salesforce Pub/Sub API client from npm (salesforce-pubsub-api-client) and decodes
# events exactly as it would against Salesforce. Needs node and npm; builds nothing of ours but the jar.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
port="${PORT:-17443}"
trap 'kill "$sim" 2>/dev/null || true; rm -rf "$work"' EXIT

java -jar "$root/app/target/leakwatch.jar" simulate --port "$port" --seconds 1 --users 100 --out "$work/sim" > "$work/sim.log" 2>&1 &
sim=$!
for _ in $(seq 1 60); do grep -q "still serving" "$work/sim.log" 2>/dev/null && break; sleep 1; done
org="$(awk '/^orgId:/ {print $2}' "$work/sim/org-profile.yaml")"

cd "$work"
npm init -y > /dev/null
npm install --silent salesforce-pubsub-api-client underscore > /dev/null 2>&1
# The client trusts only its bundled CA file; add the simulator's self-signed certificate to it.
cat "$work/sim/tls/simulator-cert.pem" >> node_modules/salesforce-pubsub-api-client/dist/cacert-*.pem
cat > check.mjs <<JS
import PubSubApiClient from 'salesforce-pubsub-api-client';
const client = new PubSubApiClient({ authType: 'user-supplied', accessToken: 'any-token',
  instanceUrl: 'https://sim.my.salesforce.com', organizationId: '$org', pubSubEndpoint: 'localhost:$port' },
  { debug() {}, info() {}, warn() {}, error: console.error });
await client.connect();
let n = 0, first;
await new Promise((resolve, reject) => client.subscribeFromEarliestEvent('/event/ApiEventStream', (s, type, data) => {
  if (type === 'event') { first ??= data; if (++n === 100) resolve(); } else if (type === 'error') reject(data);
}, 100));
console.log('node client received', n, 'events; first replay id', first.replayId, 'EventDate', String(first.payload.EventDate),
  'QueriedEntities', first.payload.QueriedEntities);
client.close();
process.exit(0);
JS
node check.mjs
