import type { GcpFirewall } from "../../../lib/clouds/gcp/model.js";
import { networkUrl } from "../../../lib/clouds/gcp/model.js";
import { fail } from "./failures.js";
import { insertFirewall } from "./firewalls.js";
import { checkName } from "./names.js";
import { firewallPath } from "./network.js";
import type { SimProject } from "./project.js";

export interface CreateNetworkInput {
  readonly name: string;
  /**
   * Create the rules that GCP pre-populates in the `default` network (docs/clouds.md,
   * "GCP implied rules"), named `<network>-allow-internal|ssh|rdp|icmp` (for `default`: GCP's own
   * names), at priority 65534.
   */
  readonly withDefaultRules?: boolean;
}

/** The priority of the default network's pre-populated rules: ahead only of the implied rules at 65535. */
export const DEFAULT_RULES_PRIORITY = 65534;

/** The auto-mode subnets' range, which default-allow-internal admits. */
export const AUTO_MODE_RANGE = "10.128.0.0/9";

export function createNetwork(project: SimProject, input: CreateNetworkInput): void {
  checkName("resource.name", input.name);
  if (project.networks.has(input.name)) {
    throw fail.alreadyExists(`projects/${project.project}/global/networks/${input.name}`);
  }
  const rules = input.withDefaultRules ? defaultRules(project.project, input.name) : [];
  for (const rule of rules) checkName("resource.name", rule.name);
  const free = project.limits.firewallRulesPerProject - project.firewalls.size;
  if (rules.length > free) throw fail.quota("FIREWALLS", project.limits.firewallRulesPerProject);
  for (const rule of rules) {
    if (project.firewalls.has(rule.name)) {
      throw fail.alreadyExists(firewallPath(project.project, rule.name));
    }
  }
  project.networks.add(input.name);
  for (const rule of rules) insertFirewall(project, rule);
}

/** The default network's rules as `gcloud compute firewall-rules describe` prints them. */
export function defaultRules(project: string, network: string): GcpFirewall[] {
  const base = {
    network: networkUrl(project, network),
    priority: DEFAULT_RULES_PRIORITY,
    direction: "INGRESS" as const,
  };
  return [
    {
      ...base,
      name: `${network}-allow-icmp`,
      description: "Allow ICMP from anywhere",
      sourceRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "icmp" }],
    },
    {
      ...base,
      name: `${network}-allow-internal`,
      description: `Allow internal traffic on the ${network} network`,
      sourceRanges: [AUTO_MODE_RANGE],
      allowed: [
        { IPProtocol: "tcp", ports: ["0-65535"] },
        { IPProtocol: "udp", ports: ["0-65535"] },
        { IPProtocol: "icmp" },
      ],
    },
    {
      ...base,
      name: `${network}-allow-rdp`,
      description: "Allow RDP from anywhere",
      sourceRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "tcp", ports: ["3389"] }],
    },
    {
      ...base,
      name: `${network}-allow-ssh`,
      description: "Allow SSH from anywhere",
      sourceRanges: ["0.0.0.0/0"],
      allowed: [{ IPProtocol: "tcp", ports: ["22"] }],
    },
  ];
}
