// The metric names PromQL expressions select, read with Prometheus's own lezer grammar.
// Usage: node promql_names.mjs < expressions.json
// Reads a JSON array of expressions on stdin; writes a JSON array, one entry per expression:
// {"names": [...]} with the names its vector selectors select (by name or by __name__="..."), or
// {"error": "..."} when it does not parse or selects metrics that cannot be named (no name, a regex).
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

function selectorNames(node, source) {
  // A VectorSelector: an Identifier child (the name), or a __name__ matcher among its LabelMatchers.
  const names = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (child.type.name === "Identifier") names.push(source.slice(child.from, child.to));
    if (child.type.name !== "LabelMatchers") continue;
    for (let matcher = child.firstChild; matcher; matcher = matcher.nextSibling) {
      const label = matcher.getChild("LabelName");
      if (!label || source.slice(label.from, label.to) !== "__name__") continue;
      const op = matcher.getChild("MatchOp");
      const value = matcher.getChild("StringLiteral");
      if (!op?.getChild("EqlSingle") || !value) {
        throw new Error(`a __name__ matcher other than = at ${matcher.from}: the metric names cannot be checked`);
      }
      names.push(unquote(source.slice(value.from, value.to)));
    }
  }
  if (names.length === 0) throw new Error(`a selector without a metric name at ${node.from}`);
  return names;
}

function namesOf(source) {
  const names = new Set();
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
          for (const name of selectorNames(node.node, source)) names.add(name);
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
  return { names: [...names].sort() };
}

const expressions = JSON.parse(await chunks(process.stdin));
process.stdout.write(JSON.stringify(expressions.map(namesOf)));
