/** What every cloud's export mapper shares (docs/live.md, "Exporting your estate"). */

import type { CloudFinding } from "../../../lib/clouds/provider.js";
import type { Cloud } from "../../../lib/inventory/model.js";
import type { EstateNetwork, EstateWorkload } from "../../estate-core-schema.js";
import { type TagRules, tagProblems } from "../../tag-rules.js";

/** One cloud's part of an exported estate, with its `native` block in that cloud's shapes. */
export interface EstateParts<Native> {
  readonly networks: EstateNetwork[];
  readonly workloads: EstateWorkload[];
  readonly native: Required<Native>;
  readonly findings: CloudFinding[];
  /** How many owned objects and records were sealed again for the simulator. */
  readonly resealed: number;
}

/** A finding of an export: something of the real cloud the estate file leaves out. */
export function exportFinding(code: string, subject: string, message: string): CloudFinding {
  return { code, severity: "warning", subject, message };
}

/**
 * The tags (GCP: labels) the simulated cloud accepts on a workload, by its `rules`; each other one
 * is left out with a finding `<cloud>-export-<noun>` (EC2 reserves `aws:`, for one).
 */
export function acceptedTags(
  cloud: Cloud,
  rules: TagRules,
  workload: string,
  tags: Readonly<Record<string, string>>,
  findings: CloudFinding[],
  noun: "tag" | "label" = "tag",
): Record<string, string> {
  const refused = new Map<string, string>();
  for (const problem of tagProblems(rules, tags)) {
    if (problem.key !== undefined) refused.set(problem.key, problem.message);
  }
  for (const [key, why] of refused) {
    findings.push(
      exportFinding(
        `${cloud}-export-${noun}`,
        workload,
        `${workload}: ${noun} ${JSON.stringify(key)} left out (${why})`,
      ),
    );
  }
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !refused.has(key)));
}
