// Apollo Client 4 with its persisted-queries link, against a running BFF.
// Usage: node apq_client.mjs http://127.0.0.1:PORT/graphql
// Runs the same query twice (network-only) and prints, as one JSON line, every HTTP exchange the
// link made (method, whether the query text and which hash were sent, status, media type, cache headers,
// error codes) and the data of both queries. tests/node/test_apollo_client.py asserts on it.
import { webcrypto } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const uri = process.argv[2];
const exchanges = [];

// What the browser docs use (crypto.subtle), here from node:crypto so Node 18 works too.
async function sha256(text) {
  const digest = await webcrypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Buffer.from(digest).toString("hex");
}

function sent(url, init) {
  if (init.method === "GET") {
    const extensions = JSON.parse(url.searchParams.get("extensions") ?? "{}");
    return { query: url.searchParams.get("query"), extensions };
  }
  const body = JSON.parse(init.body);
  return { query: body.query ?? null, extensions: body.extensions ?? {} };
}

async function recordingFetch(input, init) {
  const url = new URL(String(input));
  const { query, extensions } = sent(url, init);
  const response = await fetch(input, init);
  const answer = await response.clone().json();
  exchanges.push({
    method: init.method,
    query,
    sha256Hash: extensions.persistedQuery?.sha256Hash ?? null,
    status: response.status,
    contentType: response.headers.get("content-type"),
    cacheControl: response.headers.get("cache-control"),
    vary: response.headers.get("vary"),
    errorCodes: (answer.errors ?? []).map((e) => e.extensions?.code ?? null),
  });
  return response;
}

const client = new ApolloClient({
  link: ApolloLink.from([
    createPersistedQueryLink({ sha256, useGETForHashedQueries: true }),
    new HttpLink({ uri, fetch: recordingFetch }),
  ]),
  cache: new InMemoryCache(),
});

const PRODUCT = gql`
  query Product($sku: String!) {
    product(sku: $sku) {
      sku
      name
    }
  }
`;

const results = [];
for (let i = 0; i < 2; i += 1) {
  const { data } = await client.query({ query: PRODUCT, variables: { sku: "BAG-001" }, fetchPolicy: "network-only" });
  results.push(data);
}
console.log(JSON.stringify({ exchanges, results }));
