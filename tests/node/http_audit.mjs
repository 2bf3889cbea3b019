// The graphql-http package's GraphQL-over-HTTP server audit, against a running BFF.
// Usage: node http_audit.mjs http://127.0.0.1:PORT/graphql
// Runs every audit of serverAudits (MUST, SHOULD and MAY) one after another and prints, as one JSON
// line, each result: id, name, status ("ok"; a failure is "error" for a MUST, "warn" for a SHOULD,
// "notice" for a MAY), and for a failure the reason and the status and body of the answer.
// tests/node/test_graphql_over_http_audit.py asserts on it.
import { serverAudits } from "graphql-http";

const url = process.argv[2];

async function described(result) {
  if (result.status === "ok") return { id: result.id, name: result.name, status: "ok" };
  const response = result.response;
  let body = null;
  if (response && !response.bodyUsed) body = await response.text();
  return {
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason,
    httpStatus: response?.status ?? null,
    body,
  };
}

const results = [];
for (const { fn } of serverAudits({ url })) {
  // One at a time: an audit's request never competes with another's for the BFF's rate limits.
  results.push(await described(await fn()));
}
console.log(JSON.stringify({ results }));
