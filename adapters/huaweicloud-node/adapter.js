'use strict';
// Adapter for Huawei Cloud's Node SDK, @huaweicloud/huaweicloud-sdk-ecs 3.1.172: `fetch`,
// `surface` and `list` on the native ECS API (`EcsClient.showServer`, `listServersDetails`,
// /v1/{project_id}/cloudservers). `ServerDetail.status` is a plain string, so the status model is
// the string itself. The SDK has no server-status waiter, so `wait` is not declared. See README.md.

const path = require('node:path');
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core');
const ecs = require('@huaweicloud/huaweicloud-sdk-ecs');
const { serve, errored, fetchField } = require(path.join(__dirname, '..', 'node-common', 'protocol.js'));

// Any AK/SK: the fake ignores the request signature. With a project id the SDK makes no IAM call.
const ACCESS_KEY = 'CONFORMANCE-AK';
const SECRET_KEY = 'CONFORMANCE-SK';
// Huawei's documented maximum page size for ListServersDetails; one page, as a user would ask.
const PAGE_LIMIT = 1000;

const clients = new Map();

/**
 * BasicCredentials that also send the harness's token: ECS accepts an IAM token (X-Auth-Token)
 * besides the AK/SK signature, and the token is what proves to the harness (through the fake's
 * journal) that this adapter made the request. The SDK's own credential hook
 * (`ICredential.processAuthRequest`) adds it after signing; the request and response models are
 * the SDK's.
 */
class TokenCredentials extends BasicCredentials {
  constructor(token) {
    super();
    this.token = token;
  }

  async processAuthRequest(httpRequest) {
    const signed = await super.processAuthRequest(httpRequest);
    signed.headers = { ...signed.headers, 'X-Auth-Token': this.token };
    return signed;
  }
}

function origin(url) {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function client(request) {
  const endpoint = origin(fetchField(request, 'compute_url'));
  const projectId = fetchField(request, 'project_id');
  const token = fetchField(request, 'token');
  const key = `${endpoint} ${projectId} ${token}`;
  if (!clients.has(key)) {
    const credentials = new TokenCredentials(token)
      .withAk(ACCESS_KEY)
      .withSk(SECRET_KEY)
      .withProjectId(projectId);
    clients.set(key, ecs.EcsClient.newBuilder()
      .withCredential(credentials)
      .withEndpoint(endpoint)
      .build());
  }
  return clients.get(key);
}

/** The SDK's exceptions carry the HTTP status and Huawei's error code; one line. */
function describe(err) {
  if (err && err.errorMsg) return `${err.httpStatusCode} ${err.errorCode}: ${err.errorMsg}`;
  return err && err.message ? err.message : String(err);
}

async function showServer(request) {
  const req = new ecs.ShowServerRequest().withServerId(fetchField(request, 'server_id'));
  try {
    const result = await client(request).showServer(req);
    if (!result || !result.server) throw new Error('ShowServer answered without a `server`');
    return result.server;
  } catch (err) {
    throw new Error(`EcsClient.showServer failed: ${describe(err)}`);
  }
}

async function list(request) {
  let result;
  try {
    result = await client(request).listServersDetails(
      new ecs.ListServersDetailsRequest().withLimit(PAGE_LIMIT));
  } catch (err) {
    return errored(`EcsClient.listServersDetails failed: ${describe(err)}`);
  }
  const servers = (result.servers || []).map((s) => ({ id: s.id, status: s.status ?? null, typed: s.status ?? null }));
  return { servers };
}

async function run(kind, request) {
  switch (kind) {
    case 'fetch': {
      const s = await showServer(request);
      return { status: s.status, vm_state: s['OS-EXT-STS:vm_state'] ?? null,
        task_state: s['OS-EXT-STS:task_state'] ?? null };
    }
    case 'surface': {
      const s = await showServer(request);
      return { status: s.status, typed: s.status };
    }
    case 'list':
      return list(request);
    default:
      return errored(`the huaweicloud-node adapter does not answer \`${kind}\` cases`);
  }
}

serve({
  implementation: {
    name: '@huaweicloud/huaweicloud-sdk-ecs',
    version: require('@huaweicloud/huaweicloud-sdk-ecs/package.json').version,
    language: 'javascript',
    homepage: 'https://github.com/huaweicloud/huaweicloud-sdk-nodejs-v3',
  },
  capabilities: ['fetch', 'surface', 'list'],
  statusModel: { kind: 'string', name: 'ServerDetail.status (string)', values: {}, unknown: null },
  run,
});
