/**
 * The raw segsync/v1 Policy document (docs/policy.md) as a user would write it in YAML: named and
 * inline services, ipList sources, scopes as plain label maps. It goes through the real loader
 * (`resolvePolicyDocument`), so the benchmark also exercises validation and resolution.
 */
export type RawSelector = Readonly<Record<string, string | readonly string[]>>;

export interface RawRule {
  readonly from: RawSelector;
  readonly to: RawSelector;
  readonly services: readonly string[];
  readonly extraScope?: boolean;
}

export interface RawRuleset {
  readonly name: string;
  readonly scope: RawSelector;
  readonly enforcement: "enforced" | "visibility";
  readonly rules: readonly RawRule[];
}

export interface RawNetworks {
  readonly connected: readonly (readonly string[])[];
  readonly nat: Readonly<Record<string, readonly string[]>>;
}

export interface PolicyDocument {
  readonly apiVersion: "segsync/v1";
  readonly kind: "Policy";
  readonly labels: { readonly tagPrefix: string; readonly dimensions: readonly string[] };
  readonly services: Readonly<Record<string, readonly string[]>>;
  readonly ipLists: Readonly<Record<string, readonly string[]>>;
  readonly networks: RawNetworks;
  readonly platform: { readonly azureLoadBalancerProbes: "allow" | "deny" };
  readonly attachment: "exclusive" | "additive";
  readonly rulesets: readonly RawRuleset[];
}
