import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { GcpDesired } from "../../../lib/clouds/gcp/materialize.js";
import type { GcpState } from "../../../lib/clouds/gcp/model.js";
import type { GcpOperation } from "../../../lib/clouds/gcp/operations.js";
import type { Intent } from "../../../lib/compile/model.js";
import type { Attachment } from "../../../lib/policy/model.js";
import { egressPolicyArb, NETWORKS } from "../../compile/arbitraries.js";
import {
  customerRulesArb,
  findingProject,
  PROJECT_NETWORKS,
  PROJECTS,
  ProjectsTestbed,
  projectLimitsArb,
  projectOfNetwork,
  projectsEstateArb,
} from "./projects-harness.js";

/** Every subset of the projects, in the connection's order. */
const SUBSETS: string[][] = Array.from({ length: 2 ** PROJECTS.length }, (_, mask) =>
  PROJECTS.filter((_, i) => mask & (1 << i)),
);

/** The full desired state's part in these projects: rules, instances, budgets, findings about their objects. */
function restrict(desired: GcpDesired, projects: ReadonlySet<string>): GcpDesired {
  return {
    firewalls: desired.firewalls.filter((f) => projects.has(f.project)),
    instances: desired.instances.filter((i) => projects.has(i.project)),
    findings: desired.findings.filter((f) => projects.has(findingProject(f))),
    ruleBudget: Object.fromEntries(Object.entries(desired.ruleBudget).filter(([p]) => projects.has(p))),
    sourceTagsPerRule: desired.sourceTagsPerRule,
  };
}

/** The instances the state holds that a destination in a project outside it enforces (a Shared VPC host's network). */
function enforcedOutside(intent: Intent, projects: ReadonlySet<string>, state: GcpState): Set<string> {
  const held = new Set(
    state.flatMap((p) => p.instances.map((i) => `gcp:${p.project}:${i.zone.split("/").pop()}:${i.name}`)),
  );
  return new Set(
    intent.destinations
      .filter((d) => d.cloud === "gcp" && d.enforcement === "enforced")
      .filter((d) => !projects.has(projectOfNetwork(d.network)))
      .flatMap((d) => d.members.map((m) => m.workload))
      .filter((workload) => held.has(workload)),
  );
}

const projectOf = (op: GcpOperation) => op.project;
const workloadOf = (op: GcpOperation) => (op.kind === "setTags" ? op.workload : undefined);

describe("GCP: materialize plans the projects the state holds, each as a full read would", () => {
  it("for every subset of projects of random estates with Shared VPC, quotas and customer rules", async () => {
    const seen = {
      subsets: 0,
      /** Subsets whose instances' tags are all decided in the subset (no Shared VPC host left out). */
      exact: 0,
      /** Subsets that leave out the host of some of their instances' destinations. */
      sharedVpcHostUnread: 0,
      /** Subsets whose own plan was not empty while the full plan also planned other projects. */
      partialPlans: 0,
      unfit: 0,
      precedes: 0,
      /** Instances enforced from an unread host: planned as in full (a destination of the subset enforces them too), or left alone. */
      sharedVpcPlanned: 0,
      sharedVpcLeftAlone: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        // Deny rules, and enforced egress on some rulesets (v2).
        fc.option(egressPolicyArb, { nil: undefined }),
        egressPolicyArb,
        projectsEstateArb,
        customerRulesArb,
        projectLimitsArb,
        fc.constantFrom<Attachment>("exclusive", "additive"),
        async (earlierPolicy, currentPolicy, estate, rules, limits, attachment) => {
          const gcp = estate.filter((w) => w.id.startsWith("gcp:"));
          const others = estate.filter((w) => !w.id.startsWith("gcp:"));
          const policy = { ...currentPolicy, attachment };
          /** The same simulated projects each time: the earlier policy applied in full, if any. */
          const build = async () => {
            const bed = new ProjectsTestbed(gcp, rules, limits);
            if (earlierPolicy) await bed.reconcile({ ...earlierPolicy, attachment }, others);
            return bed;
          };
          const bed = await build();
          const { provider } = bed;
          const { intent, state: full, discovered: fullRead } = await bed.read(policy, others);
          const desired = provider.materialize(intent, full, policy);
          const plan = provider.diff(desired, full);
          seen.unfit += desired.findings.filter(
            (f) => f.code === "gcp-quota" && f.subject.includes("@"),
          ).length;
          seen.precedes += desired.findings.filter((f) => f.code === "gcp-rule-precedes").length;

          // The full plan applied: the converged end every narrowed plan must leave as it is.
          const converged = await build();
          await provider.apply(plan, converged.connection, () => {});
          const fullEnd = converged.native();

          for (const subset of SUBSETS) {
            seen.subsets++;
            const projects = new Set(subset);
            // A narrowed read: the subset's networks, another cloud's, an unmanaged project's.
            const networks = [
              ...subset.flatMap((p) => PROJECT_NETWORKS[p] ?? []),
              NETWORKS[0] as string,
              "gcp:not-managed1:prod-net",
            ];
            const narrowed = provider.narrow(bed.connection, networks);
            expect(narrowed.projects).toEqual(subset);
            const { state, discovered } = await bed.read(policy, others, narrowed);
            expect(state).toEqual(full.filter((p) => projects.has(p.project)));
            expect(discovered).toEqual(fullRead.filter((p) => projects.has(p.project)));

            const mine = provider.materialize(intent, state, policy);
            const ops = provider.diff(mine, state);
            const theirs = restrict(desired, projects);
            const fullOps = plan.filter((op) => projects.has(projectOf(op)));
            const outside = enforcedOutside(intent, projects, state);
            if (ops.length > 0 && fullOps.length < plan.length) seen.partialPlans++;

            // Nothing outside the state's projects, ever.
            expect(mine.firewalls.every((f) => projects.has(f.project))).toBe(true);
            expect(mine.instances.every((i) => projects.has(i.project))).toBe(true);
            expect(ops.every((op) => projects.has(op.project))).toBe(true);

            if (outside.size === 0) {
              seen.exact++;
              expect(mine).toEqual(theirs);
              expect(ops).toEqual(fullOps);
            } else {
              seen.sharedVpcHostUnread++;
              // Instances a destination of the subset enforces too are planned as in full (one
              // identity, one tag); the others wait for their host to be read. All else as in full.
              const planned = new Set(mine.instances.map((i) => i.workload));
              const alone = new Set([...outside].filter((w) => !planned.has(w)));
              seen.sharedVpcPlanned += outside.size - alone.size;
              seen.sharedVpcLeftAlone += alone.size;
              const apart = (subject: string | undefined) => subject !== undefined && alone.has(subject);
              expect(mine).toEqual({
                ...theirs,
                instances: theirs.instances.filter((i) => !apart(i.workload)),
                findings: theirs.findings.filter((f) => !apart(f.subject)),
              });
              expect(ops).toEqual(fullOps.filter((op) => !apart(workloadOf(op))));
            }

            // Applying the narrowed plan: the subset's projects as the full plan leaves them
            // (where it decides everything), every other project exactly as it was.
            if (subset.length > 0 && subset.length < PROJECTS.length) {
              const applied = await build();
              const before = applied.native();
              await provider.apply(ops, applied.connection, () => {});
              const after = applied.native();
              for (const project of PROJECTS) {
                if (!projects.has(project)) expect(after.get(project), project).toEqual(before.get(project));
                else if (outside.size === 0)
                  expect(after.get(project), project).toEqual(fullEnd.get(project));
              }
            }

            // Once the full plan is applied, no narrowed read finds anything to do.
            const settled = await converged.read(
              policy,
              others,
              provider.narrow(converged.connection, networks),
            );
            expect(provider.diff(provider.materialize(intent, settled.state, policy), settled.state)).toEqual(
              [],
            );
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(seen.subsets).toBe(400 * SUBSETS.length);
    expect(seen.exact).toBeGreaterThan(800);
    expect(seen.sharedVpcHostUnread).toBeGreaterThan(50);
    expect(seen.sharedVpcPlanned).toBeGreaterThan(20);
    expect(seen.sharedVpcLeftAlone).toBeGreaterThan(20);
    expect(seen.partialPlans).toBeGreaterThan(200);
    expect(seen.unfit).toBeGreaterThan(20);
    expect(seen.precedes).toBeGreaterThan(20);
  }, 600_000);
});
