/**
 * Azure operations as people read them in a plan: one line per object, and for an NSG write the
 * rules it adds, removes and changes (docs/reviewing-plans.md). ASGs are named by their last id
 * segment, which for segsync's own ASGs carries the identity hash the plan text resolves.
 */
import type { OperationSummary } from "../provider.js";
import { ruleDifference } from "./diff.js";
import { type AzureState, resourceId, type SecurityRule, type SubResource } from "./model.js";
import type { AzureOperation } from "./operations.js";

const lastSegment = (id: string) => id.split("/").at(-1) ?? id;

function values(list: readonly string[] | undefined, single: string | undefined): string[] {
  return [...(list ?? []), ...(single === undefined || single === "" ? [] : [single])];
}

function side(
  groups: readonly SubResource[] | undefined,
  prefixes: readonly string[] | undefined,
  prefix: string | undefined,
): string {
  const all = [...(groups ?? []).map((g) => lastSegment(g.id)), ...values(prefixes, prefix)];
  return all.length === 0 ? "*" : all.join(", ");
}

/** `300 allow tcp/5432 from segsync-… to segsync-…`: what ARM evaluates, in the order it does. */
export function formatSecurityRule(rule: SecurityRule): string {
  const ports = values(rule.destinationPortRanges, rule.destinationPortRange).join(",") || "*";
  const protocol = rule.protocol === "*" ? "any" : rule.protocol.toLowerCase();
  const service = ports === "*" ? protocol : `${protocol}/${ports}`;
  const from = side(
    rule.sourceApplicationSecurityGroups,
    rule.sourceAddressPrefixes,
    rule.sourceAddressPrefix,
  );
  const to = side(
    rule.destinationApplicationSecurityGroups,
    rule.destinationAddressPrefixes,
    rule.destinationAddressPrefix,
  );
  const direction = rule.direction === "Outbound" ? " outbound" : "";
  return `${rule.priority}${direction} ${rule.access.toLowerCase()} ${service} from ${from} to ${to}`;
}

/** The rule-level difference an NSG put makes to the NSG as the state holds it. */
function nsgDifference(
  operation: Extract<AzureOperation, { kind: "putNetworkSecurityGroup" }>,
  state: AzureState,
) {
  const id = resourceId(
    operation.subscription,
    operation.resourceGroup,
    "networkSecurityGroups",
    operation.name,
  ).toLowerCase();
  const existing = state
    .find((s) => s.subscription === operation.subscription)
    ?.networkSecurityGroups.find((nsg) => nsg.id.toLowerCase() === id);
  return ruleDifference(existing?.securityRules ?? [], operation.securityRules);
}

function nsgChanges(
  operation: Extract<AzureOperation, { kind: "putNetworkSecurityGroup" }>,
  state: AzureState,
) {
  const { added, removed, changed } = nsgDifference(operation, state);
  const byPriority = (a: SecurityRule, b: SecurityRule) => a.priority - b.priority;
  added.sort(byPriority);
  removed.sort(byPriority);
  changed.sort((a, b) => byPriority(a.after, b.after));
  return [
    ...added.map((rule) => `+ ${formatSecurityRule(rule)}`),
    ...changed.flatMap(({ before, after }) => [
      `- ${formatSecurityRule(before)}`,
      `+ ${formatSecurityRule(after)}`,
    ]),
    ...removed.map((rule) => `- ${formatSecurityRule(rule)}`),
  ];
}

type OperationOf<K extends AzureOperation["kind"]> = Extract<AzureOperation, { kind: K }>;

/** How one kind of operation reads in a plan; `cloud` is added by summarizeAzureOperation. */
type Summarize<K extends AzureOperation["kind"]> = (
  operation: OperationOf<K>,
  state: AzureState,
) => Omit<OperationSummary, "cloud">;

const SUMMARIES: { readonly [K in AzureOperation["kind"]]: Summarize<K> } = {
  putApplicationSecurityGroup: (operation) => ({
    action: "create",
    objectType: "application security group",
    object: operation.name,
    detail: `for ${operation.identity} in ${operation.location}`,
    narrows: false,
  }),
  joinApplicationSecurityGroups: (operation) => ({
    action: "update",
    objectType: "network interface",
    object: `${operation.nic.name} of ${operation.workload}`,
    detail: `join ${operation.added.map(lastSegment).join(" ")} before the NSG writes that name them`,
    narrows: false,
  }),
  putNetworkSecurityGroup: (operation, state) => {
    const { created, added, removed, changed, flushConnection } = operation.change;
    const flush =
      flushConnection === undefined
        ? ""
        : `; open flows ${flushConnection ? "re-evaluated" : "kept"} on rule changes (flushConnection ${flushConnection ? "on" : "off"})`;
    return {
      action: created ? "create" : "update",
      objectType: "network security group",
      object: operation.name,
      detail: `${operation.securityRules.length} rules (+${added} −${removed} ~${changed})${flush}`,
      changes: nsgChanges(operation, state),
      // A deny rule added to an NSG in use (egress becoming enforced: its deny-all outbound) narrows too.
      narrows:
        removed > 0 ||
        changed > 0 ||
        (!created && nsgDifference(operation, state).added.some((rule) => rule.access === "Deny")),
    };
  },
  putNetworkInterface: (operation) => ({
    action: "update",
    objectType: "network interface",
    object: `${operation.nic.name} of ${operation.workload}`,
    detail: `NSG ${operation.before.networkSecurityGroup?.split("/").at(-1) ?? "none"} → ${operation.nic.networkSecurityGroup?.id.split("/").at(-1) ?? "none"}`,
    narrows: true,
  }),
  deleteNetworkSecurityGroup: (operation) => ({
    action: "delete",
    objectType: "network security group",
    object: operation.name,
    detail: "no longer used",
    narrows: true,
  }),
  deleteApplicationSecurityGroup: (operation) => ({
    action: "delete",
    objectType: "application security group",
    object: operation.name,
    detail: "no longer used",
    narrows: true,
  }),
};

export function summarizeAzureOperation(operation: AzureOperation, state: AzureState): OperationSummary {
  const summarize = SUMMARIES[operation.kind] as Summarize<typeof operation.kind>;
  return { cloud: "azure", ...summarize(operation, state) };
}
