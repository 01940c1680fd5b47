'use strict';
// Adapter for pkgcloud's OpenStack compute provider (pkgcloud 2.2.0): `fetch`, `surface`,
// `list` and `wait` through the SDK's own calls (`client.getServer`, `client.getServers`,
// `server.setWait`). Its status model is its own lossy mapping onto pkgcloud's 8 statuses
// (lib/pkgcloud/openstack/compute/server.js), read from the SDK itself at start. See README.md.

const path = require('node:path');
const pkgcloud = require('pkgcloud');
const { Server } = require('pkgcloud/lib/pkgcloud/openstack/compute/server');
const { serve, errored, skipped, fetchField } = require(path.join(__dirname, '..', 'node-common', 'protocol.js'));

// Every raw status the `switch` in server.js names (it upper-cases the raw status first); any
// other string becomes STATUS.unknown, and an empty or missing status leaves `status` unset.
const KNOWN = ['BUILD', 'REBUILD', 'ACTIVE', 'SUSPENDED', 'SHUTOFF', 'REBOOT', 'HARD_REBOOT',
  'QUEUE_RESIZE', 'PREP_RESIZE', 'RESIZE', 'VERIFY_RESIZE', 'SHARE_IP', 'SHARE_IP_NO_CONFIG',
  'DELETE_IP', 'PASSWORD', 'RESCUE', 'ERROR'];

/** What pkgcloud's own Server model makes of a raw status (no request involved). */
function typedOf(raw) {
  return new Server(null, { id: 'model-probe', status: raw }).status;
}

const statusModel = {
  kind: 'enum',
  name: 'pkgcloud compute STATUS (lib/pkgcloud/common/status.js)',
  values: Object.fromEntries(KNOWN.map((raw) => [raw, typedOf(raw)])),
  unknown: typedOf('A-STATUS-NO-SDK-KNOWS'),
};

const clients = new Map();

/**
 * A client that sends the harness's token to `compute_url`: pkgcloud authenticates inline
 * (Keystone) unless its identity already holds a token and the service URL is known, so both
 * are set, as a pre-authorised session; no Keystone round trip, so the fake's journal shows the
 * harness's token.
 */
function client(request) {
  const computeUrl = fetchField(request, 'compute_url');
  const token = fetchField(request, 'token');
  const key = `${computeUrl} ${token}`;
  if (!clients.has(key)) {
    const c = pkgcloud.compute.createClient({
      provider: 'openstack',
      authUrl: fetchField(request, 'auth_url'),
      username: 'conformance',
      password: 'unused',
      keystoneAuthVersion: 'v3',
    });
    c._identity.token = { id: token, expires: new Date(Date.now() + 24 * 3600 * 1000) };
    c._serviceUrl = computeUrl;
    clients.set(key, c);
  }
  return clients.get(key);
}

function getServer(request) {
  const id = fetchField(request, 'server_id');
  return new Promise((resolve, reject) => {
    client(request).getServer(id, (err, server) => (err ? reject(err) : resolve(server)));
  });
}

function rawOf(server) {
  return server.original ? server.original.status : undefined;
}

function list(request) {
  return new Promise((resolve) => {
    client(request).getServers((err, servers) => {
      if (err) return resolve(errored(`client.getServers failed: ${err.message || err}`));
      resolve({
        servers: servers.map((s) => ({ id: s.id, status: rawOf(s) ?? null, typed: s.status ?? null })),
      });
    });
  });
}

/** `server.setWait({status}, interval, timeLimit, cb)`: pkgcloud's only waiter. */
async function wait(request) {
  const spec = request.wait || {};
  if (spec.until !== 'status') {
    return skipped('pkgcloud has no deletion waiter: setWait ignores refresh errors, so it never sees a 404');
  }
  const server = await getServer(request);
  const target = typedOf(spec.target);
  const intervalMs = Math.max(1, Math.round((spec.interval_s ?? 0.05) * 1000));
  const timeLimitMs = Math.round((spec.timeout_s ?? 3) * 1000);
  return new Promise((resolve) => {
    server.setWait({ status: target }, intervalMs, timeLimitMs, (err, resource) => {
      const seen = resource || server;
      if (!err && seen.status === target) {
        resolve({ wait: { outcome: 'reached', status: rawOf(seen) ?? null } });
      } else {
        // setWait calls back with the last resource once its time limit passed; no error.
        const message = `setWait gave up after ${timeLimitMs} ms, server is ${seen.status} (raw ${rawOf(seen)})`;
        resolve({ wait: { outcome: 'timeout', status: rawOf(seen) ?? null, message } });
      }
    });
  });
}

async function run(kind, request) {
  switch (kind) {
    case 'fetch': {
      const s = await getServer(request);
      return { status: rawOf(s), vm_state: s.original['OS-EXT-STS:vm_state'] ?? null,
        task_state: s.original['OS-EXT-STS:task_state'] ?? null };
    }
    case 'surface': {
      const s = await getServer(request);
      return { status: rawOf(s), typed: s.status ?? null };
    }
    case 'list':
      return list(request);
    case 'wait':
      return wait(request);
    default:
      return errored(`the pkgcloud adapter does not answer \`${kind}\` cases`);
  }
}

if (require.main === module) {
  serve({
    implementation: {
      name: 'pkgcloud',
      version: require('pkgcloud/package.json').version,
      language: 'javascript',
      homepage: 'https://github.com/pkgcloud/pkgcloud',
    },
    capabilities: ['fetch', 'surface', 'list', 'wait'],
    statusModel,
    run,
  });
}

module.exports = { statusModel, typedOf };
