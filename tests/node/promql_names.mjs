// The metric names PromQL expressions select, read with Prometheus's own lezer grammar.
// Usage: node promql_names.mjs < expressions.json
// Reads a JSON array of expressions on stdin; writes a JSON array, one entry per expression:
// {"names": [...], "selectors": [{"names": [...], "matchers": [[label, op, value], ...]}, ...]} with
// the names its vector selectors select (by name or by __name__="...") and each selector's label
// matchers, or {"error": "..."} when it does not parse or selects metrics that cannot be named (no
// name, a regex).
import { parser } from "@prometheus-io/lezer-promql";

function chunks(stream) {
  return new Promise((resolve, reject) => {
    const parts = [];
    stream.on("data", (part) => parts.push(part));
    stream.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    stream.on("error", reject);
  });
}

function unquote(literal) {
  return JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/"/g, '\\"')}"` : literal.replace(/^`|`$/g, '"'));
}

function selector(node, source) {
  // A VectorSelector: an Identifier child (the name), or a __name__ matcher among its LabelMatchers.
  const text = (part) => source.slice(part.from, part.to);
  const names = [];
  const matchers = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.type.name === "Identifier") names.push(text(child));
    if (child.type.name !== "LabelMatchers") continue;
    for (let matcher = child.firstChild; matcher; matcher = matcher.nextSibling) {
      const label = matcher.getChild("LabelName");
      const op = matcher.getChild("MatchOp");
      const value = matcher.getChild("StringLiteral");
      if (!label || !op || !value) continue;
      matchers.push([text(label), text(op), unquote(text(value))]);
      if (text(label) !== "__name__") continue;
      if (!op.getChild("EqlSingle")) {
        throw new Error(`a __name__ matcher other than = at ${matcher.from}: the metric names cannot be checked`);
      }
      names.push(unquote(text(value)));
    }
  }
  if (names.length === 0) throw new Error(`a selector without a metric name at ${node.from}`);
  return { names, matchers };
}

function namesOf(source) {
  const names = new Set();
  const selectors = [];
  const tree = parser.parse(source);
  let failure = null;
  tree.iterate({
    enter(node) {
      if (failure) return false;
      if (node.type.isError) {
        const near = JSON.stringify(source.slice(Math.max(0, node.from - 10), node.to + 10));
        failure = `syntax error at position ${node.from} (near ${near})`;
        return false;
      }
      if (node.type.name === "VectorSelector") {
        try {
          const found = selector(node.node, source);
          selectors.push(found);
          for (const name of found.names) names.add(name);
        } catch (error) {
          failure = error.message;
          return false;
        }
      }
      return undefined;
    },
  });
  if (failure) return { error: failure };
  if (source.trim() === "") return { error: "an empty expression" };
  return { names: [...names].sort(), selectors };
}

const expressions = JSON.parse(await chunks(process.stdin));
process.stdout.write(JSON.stringify(expressions.map(namesOf)));
