/** Small policy documents for tests, built as plain objects (as resolvePolicyDocument takes them). */

export type Document = Record<string, unknown>;

/** The smallest valid document, plus whatever the test adds or replaces. */
export function policyDocument(fields: Document = {}): Document {
  return { apiVersion: "segsync/v1", kind: "Policy", rulesets: [], ...fields };
}

/** A document with one ruleset `shop` of the given scope and rules. */
export function oneRuleset(scope: Document, rules: Document[], fields: Document = {}): Document {
  return policyDocument({ rulesets: [{ name: "shop", scope, rules }], ...fields });
}
