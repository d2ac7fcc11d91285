/**
 * `import … from "segsync"`: the library (docs/package.md). Loading and validating a policy,
 * compiling it against an inventory, the simulator a team's own tests can run a policy on, and
 * `explain` for one flow. The CDK construct is `segsync/cdk` (pkg/cdk.ts).
 */

// explain: why one flow is allowed or denied, and the native rule that decides.
export type { SourceEnd } from "../cli/flow-source.js";
export {
  type DestinationEnd,
  explainFlow,
  type FlowExplanation,
  formatProbe,
  type Probe,
  parseProbe,
} from "../cli/flows.js";
// The compiler: the policy and an inventory to the intent each workload must enforce.
export { compile } from "../lib/compile/compile.js";
export type { DestinationIntent, Finding, Intent, PeerSet, WorkloadReport } from "../lib/compile/model.js";
export type {
  Cloud,
  Inventory,
  Network,
  NetworkId,
  Nic,
  Workload,
  WorkloadId,
} from "../lib/inventory/model.js";
export { CLOUDS } from "../lib/inventory/model.js";
export { POLICY_SCHEMA_ID, policyJsonSchema } from "../lib/policy/json-schema.js";
// The policy: load a file or text, with every issue's file:line:col.
export { formatIssue, loadPolicyFile, loadPolicyText, type PolicyLoadResult } from "../lib/policy/load.js";
export type { Policy, Service } from "../lib/policy/model.js";
export type { ReconcileResult } from "../lib/reconcile/reconciler.js";
// The package's version (semantic versioning: docs/package.md, "Versions").
export { packageVersion } from "../lib/util/package-root.js";
export type { SourceIssue } from "../lib/util/source-issues.js";
export { type EstateLoadResult, loadEstateFile, loadEstateText } from "../sim/estate.js";
export type { Estate } from "../sim/estate-schema.js";
export { loadScenarioFile, loadScenarioText, type ScenarioLoadResult } from "../sim/scenario.js";
// The simulator: an Estate file's clouds, reconciled through the same path as the functions.
export { Simulation, type SimulationOptions, type StepOutcome } from "../sim/simulation.js";
