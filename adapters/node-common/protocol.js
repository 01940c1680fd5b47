'use strict';
// The adapter protocol (v1 and v2, see adapters/PROTOCOL.md) for the Node adapters, with no
// dependency beyond Node itself.
//
// An adapter calls `serve({implementation, capabilities, statusModel, run})` where
// `run(kind, request)` returns (or resolves to) the answer without `seq`: `{status}`,
// `{status, typed}`, `{servers}`, `{wait}`, `skipped(...)` or `errored(...)`. A thrown error or
// a rejected promise becomes one `errored` answer, so one bad case never kills the adapter.
// Requests are answered strictly one at a time, in order.
//
// stdout belongs to the protocol: console.log/info/debug are pointed at stderr so that a stray
// log line in an SDK cannot corrupt the stream.

const readline = require('node:readline');

const NEWEST = 2;
const protocolOut = process.stdout;
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args);
}

function send(message) {
  protocolOut.write(JSON.stringify(message) + '\n');
}

/** An `errored` answer; the message is folded onto one line. */
function errored(message) {
  const line = String(message).split(/\s+/).filter(Boolean).join(' ') || 'error';
  return { errored: { message: line } };
}

/** A `skipped` answer with its reason. */
function skipped(reason) {
  return { skipped: { reason } };
}

/** A string member of the request's `fetch` object, or an error naming it. */
function fetchField(request, field) {
  const value = request.fetch && request.fetch[field];
  if (typeof value !== 'string') {
    throw new Error(`the run request has no fetch.${field}`);
  }
  return value;
}

function startAnswer(adapter, version) {
  const answer = { version, implementation: adapter.implementation };
  if (version === 1) {
    answer.capabilities = adapter.capabilities.filter((c) => c === 'derive' || c === 'fetch');
  } else {
    answer.capabilities = adapter.capabilities;
    answer.status_model = adapter.statusModel;
  }
  return answer;
}

function runKind(request, version) {
  if (version >= 2 && typeof request.kind === 'string') return request.kind;
  return request.fetch ? 'fetch' : 'derive';
}

/** Reads requests from stdin until `stop` or EOF, answering each on stdout. */
function serve(adapter) {
  let version = NEWEST;
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  const handle = async (line) => {
    if (!line.trim()) return;
    let request;
    try {
      request = JSON.parse(line);
    } catch (e) {
      console.error(`adapter: ignoring a request that is not JSON: ${e.message}`);
      return;
    }
    if (request.cmd === 'start') {
      version = request.version === 1 ? 1 : NEWEST;
      send(startAnswer(adapter, version));
    } else if (request.cmd === 'run') {
      let answer;
      try {
        answer = await adapter.run(runKind(request, version), request);
      } catch (e) {
        answer = errored(`${e && e.name ? e.name : 'Error'}: ${e && e.message ? e.message : e}`);
      }
      send({ seq: request.seq === undefined ? null : request.seq, ...answer });
    } else if (request.cmd === 'stop') {
      process.exit(0);
    } else {
      console.error(`adapter: ignoring unknown command ${JSON.stringify(request.cmd)}`);
    }
  };
  lines.on('line', (line) => {
    queue = queue.then(() => handle(line));
  });
  lines.on('close', () => {
    queue.then(() => process.exit(0));
  });
}

module.exports = { serve, errored, skipped, fetchField };
