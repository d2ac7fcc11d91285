/**
 * GCP operations as people read them in a plan: one line per object, and the firewall rule each
 * write adds or removes, as Compute evaluates it (docs/reviewing-plans.md).
 */
import type { OperationSummary } from "../provider.js";
import type { FirewallProtocol, GcpFirewall, GcpState } from "./model.js";
import type { GcpOperation } from "./operations.js";

function services(protocols: readonly FirewallProtocol[]): string {
  return protocols
    .map((p) =>
      p.ports === undefined || p.ports.length === 0 ? p.IPProtocol : `${p.IPProtocol}/${p.ports.join(",")}`,
    )
    .join(" ");
}

function list(what: string, values: readonly string[] | undefined): string[] {
  return values === undefined || values.length === 0 ? [] : [`${what} ${values.join(", ")}`];
}

/**
 * `900 allow tcp/5432 from tags segsync-… to tags segsync-…`; an egress rule from the instances it
 * targets to its destination ranges: `900 egress allow tcp/443 from tags segsync-… to ranges …`.
 */
export function formatFirewall(firewall: GcpFirewall): string {
  if (firewall.direction === "EGRESS") return formatEgressFirewall(firewall);
  const from = [
    ...list("ranges", firewall.sourceRanges),
    ...list("tags", firewall.sourceTags),
    ...list("service accounts", firewall.sourceServiceAccounts),
  ];
  const to = [
    ...list("tags", firewall.targetTags),
    ...list("service accounts", firewall.targetServiceAccounts),
    ...list("ranges", firewall.destinationRanges),
  ];
  const disabled = firewall.disabled ? " (disabled)" : "";
  return `${firewall.priority} ${verdictOf(firewall)} from ${from.join(" ") || "anywhere"} to ${to.join(" ") || "every instance"}${disabled}`;
}

function verdictOf(firewall: GcpFirewall): string {
  return (firewall.denied ?? []).length > 0
    ? `deny ${services(firewall.denied ?? [])}`
    : `allow ${services(firewall.allowed ?? [])}`;
}

function formatEgressFirewall(firewall: GcpFirewall): string {
  const from = [
    ...list("tags", firewall.targetTags),
    ...list("service accounts", firewall.targetServiceAccounts),
  ];
  const to = list("ranges", firewall.destinationRanges);
  const disabled = firewall.disabled ? " (disabled)" : "";
  return `${firewall.priority} egress ${verdictOf(firewall)} from ${from.join(" ") || "every instance"} to ${to.join(" ") || "anywhere"}${disabled}`;
}

function firewallNamed(state: GcpState, project: string, name: string): GcpFirewall | undefined {
  return state.find((p) => p.project === project)?.firewalls.find((f) => f.name === name);
}

export function summarizeGcpOperation(operation: GcpOperation, state: GcpState): OperationSummary {
  const base = { cloud: "gcp" as const };
  switch (operation.kind) {
    case "insertFirewall":
      return {
        ...base,
        action: "create",
        objectType: "firewall rule",
        object: operation.firewall.name,
        detail: `priority ${operation.firewall.priority}`,
        changes: [`+ ${formatFirewall(operation.firewall)}`],
        narrows: (operation.firewall.denied ?? []).length > 0,
      };
    case "setTags":
      return {
        ...base,
        action: "update",
        objectType: "instance",
        // The instance name is the workload's short name (docs/reviewing-plans.md).
        object: operation.workload,
        detail: `tags ${operation.before.join(" ") || "none"} → ${operation.items.join(" ") || "none"}`,
        narrows: true,
      };
    case "patchFirewall":
      return {
        ...base,
        action: "update",
        objectType: "firewall rule",
        object: operation.firewall.name,
        detail: operation.widening
          ? "sources added first, for instances that gain their tag"
          : "sources or protocols changed",
        changes: [`- ${formatFirewall(operation.before)}`, `+ ${formatFirewall(operation.firewall)}`],
        narrows: !operation.widening,
      };
    case "deleteFirewall": {
      const before = firewallNamed(state, operation.project, operation.name);
      return {
        ...base,
        action: "delete",
        objectType: "firewall rule",
        object: operation.name,
        detail: operation.toMakeRoom
          ? "no longer used (first, to stay within the rule quota)"
          : "no longer used",
        ...(before === undefined ? {} : { changes: [`- ${formatFirewall(before)}`] }),
        narrows: true,
      };
    }
  }
}
