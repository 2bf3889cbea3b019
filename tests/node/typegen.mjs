// GraphQL Code Generator (client preset) over the storefront's documents, offline, then tsc.
// Usage: node typegen.mjs SCHEMA OUT_DIR DOCUMENT...
// Types every document against the SDL with strictScalars (a scalar without a mapping fails) and
// type-checks the generated TypeScript with `tsc --noEmit --strict`. Exits non-zero on any failure.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { generate } from "@graphql-codegen/cli";

const [schema, out, ...documents] = process.argv.slice(2);
await generate(
  {
    schema,
    documents,
    silent: true,
    generates: {
      [`${out}/gql/`]: {
        preset: "client",
        config: {
          strictScalars: true,
          scalars: { Decimal: "string", DateTime: "string" },
          useTypeImports: true,
        },
      },
    },
  },
  true,
);
writeFileSync(
  join(out, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: "ES2022", module: "ESNext", moduleResolution: "Bundler",
      skipLibCheck: false, types: [], typeRoots: [join(process.cwd(), "node_modules", "@types")],
      baseUrl: process.cwd(), paths: { "*": [join(process.cwd(), "node_modules", "*")] },
    },
    include: [join(out, "gql", "*.ts")],
  }),
);
execFileSync(join(process.cwd(), "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], {
  stdio: "inherit",
});
console.log(JSON.stringify({ documents: documents.length }));
