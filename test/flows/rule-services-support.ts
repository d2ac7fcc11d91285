/** A policy whose merged grants hold rules with different services (test/flows/check-rule-services.test.ts, test/cli/explain-rule-services.test.ts). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../policy/fixtures.js";

/**
 * SSH from web to api in a ruleset whose rules come first in policy order ("admin" < "shop-prod");
 * in v2, SSH from api to the payments gateway too.
 */
const ADMIN = `  - name: admin
    scope: { app: shop, env: prod }
    enforcement: enforced
    rules:
      - from: { role: web }
        to: { role: api }
        services: [tcp/22]
`;
const GATEWAY_SSH = `      - from: { role: api }
        to: { ipList: payments-gateway }
        services: [tcp/22]
`;

/** The example policy with the admin ruleset before shop-prod. */
export function withAdmin(path: string): string {
  const text = readFileSync(join(REPO_ROOT, "examples", path), "utf8");
  const at = text.indexOf("  - name: shop-prod\n");
  if (at < 0) throw new Error(`${path} must hold the shop-prod ruleset`);
  const admin = path === "policy-v2.yaml" ? `${ADMIN}${GATEWAY_SSH}` : ADMIN;
  return `${text.slice(0, at)}${admin}${text.slice(at)}`;
}
