// A module hook (node --import): appends each package a process resolves from node_modules to
// the file named by SEGSYNC_IMPORT_LOG, one per line. test/cli/start-imports.test.ts reads it.
import { register } from "node:module";

if (process.env.SEGSYNC_IMPORT_LOG) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from "node:fs";
      const log = ${JSON.stringify(process.env.SEGSYNC_IMPORT_LOG)};
      export async function resolve(specifier, context, next) {
        const resolved = await next(specifier, context);
        const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url);
        if (match) appendFileSync(log, match[1] + "\\n");
        return resolved;
      }
    `)}`,
  );
}
