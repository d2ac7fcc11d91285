/**
 * The randomized convergence campaign's cases (issue 13): from one seed, deterministically, an
 * estate over the three clouds, a v1 policy, a sequence of steps (launches, re-tags, stops,
 * starts, terminations, migrations, reconciles, full syncs), a delivery order (in order, or
 * duplicated and reordered) and a fault schedule. A case is plain data, so that a failing one
 * can be written to a file, shrunk (shrink.ts) and kept as a regression test.
 *
 * Two kinds of case are made only when asked for (docs/scenarios.md, "The randomized campaign"):
 * additive attachment (`attachment: "additive"`, which CI leaves out: the checker does not model
 * what customer groups that stay admit) and GCP Shared VPC service projects (`sharedVpc: true`,
 * which CI runs), and policy v2 (`v2: true`, generate-v2.ts: the same case with deny rules, rules
 * to an ipList and enforced egress added).
 */
import type { Cloud } from "../../lib/inventory/model.js";
import type { Estate } from "../../sim/estate-schema.js";
import type { Step } from "../../sim/scenario-schema.js";
import { withV2 } from "./generate-v2.js";
import { Random } from "./random.js";

export interface GenerateOptions {
  /** Generate additive-mode policies too. Default: exclusive only. */
  readonly additive?: boolean;
  /** Place some GCP workloads in a Shared VPC service project. Default: host project only. */
  readonly sharedVpc?: boolean;
  /** Add policy v2 (generate-v2.ts): deny rules, rules to an ipList, enforced egress. Default: v1. */
  readonly v2?: boolean;
}

type PipelineFault = { readonly at: number };

/** A fault, scheduled by step index: `at` (or `from`..`to`) names the steps it applies to. */
export type Fault =
  /** The cloud throttles a share of the port calls, from step `from` to step `to`. */
  | {
      readonly kind: "throttle";
      readonly cloud: Cloud;
      readonly rate: number;
      readonly seed: number;
      readonly from: number;
      readonly to: number;
    }
  /** 500s and 503s, some writes taking effect before the response is lost. */
  | {
      readonly kind: "serverErrors";
      readonly cloud: Cloud;
      readonly rate: number;
      readonly lostResponseShare: number;
      readonly seed: number;
      readonly from: number;
      readonly to: number;
    }
  /** The process dies before the write after `afterWrites` more on each cloud, in the reconcile at step `at`. */
  | (PipelineFault & { readonly kind: "crash"; readonly afterWrites: number })
  /** The workload is terminated once `afterOperations` of `cloud`'s plan are applied. */
  | (PipelineFault & {
      readonly kind: "terminateWhileApplying";
      readonly cloud: Cloud;
      readonly afterOperations: number;
      readonly workload: string;
    })
  /** Someone revokes one rule of a segsync-owned AWS group between segsync's read and its writes. */
  | (PipelineFault & { readonly kind: "editOwned"; readonly cloud: "aws"; readonly afterOperations: number })
  /** Someone adds a network tag of their own to a GCP instance between segsync's read and its writes. */
  | (PipelineFault & {
      readonly kind: "editCustomer";
      readonly cloud: "gcp";
      readonly afterOperations: number;
      readonly workload: string;
    });

export type FaultKind = Fault["kind"];

export interface FuzzCase {
  readonly seed: number;
  /** A policy document (resolved by the policy loader, as a file would be). */
  readonly policy: Record<string, unknown>;
  readonly estate: Estate;
  readonly steps: readonly Step[];
  readonly delivery?: { readonly duplicates: number; readonly reorder: true; readonly seed: number };
  readonly faults: readonly Fault[];
}

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";

interface NetworkSpec {
  readonly id: string;
  readonly cidr: string;
  readonly prefix: string;
  readonly region?: "eastus";
}

const NETWORKS: Readonly<Record<Cloud, readonly NetworkSpec[]>> = {
  aws: [
    { id: "aws:111111111111:us-east-1:vpc-0a1b2c3d", cidr: "10.1.0.0/16", prefix: "10.1" },
    { id: "aws:222222222222:us-west-2:vpc-0f9e8d7c", cidr: "10.5.0.0/16", prefix: "10.5" },
  ],
  azure: [
    {
      id: `azure:${SUBSCRIPTION}:rg-net:vnet-prod`,
      cidr: "10.2.0.0/16",
      prefix: "10.2",
      region: "eastus",
    },
  ],
  gcp: [{ id: "gcp:shop-prod:prod-net", cidr: "10.3.0.0/16", prefix: "10.3" }],
};

const CLOUD_LIST: readonly Cloud[] = ["aws", "azure", "gcp"];
const APPS = ["shop", "blog"] as const;
const ENVS = ["prod", "dev"] as const;
const ROLES = ["web", "api", "db"] as const;
const SERVICES = ["web", "postgres", "tcp/8080", "udp/53", "icmp", "tcp/9000-9010"] as const;

/** What the generator knows of a workload, to make only steps that can happen. */
interface ModelWorkload {
  readonly id: string;
  readonly cloud: Cloud;
  readonly network: string;
  state: "running" | "stopped";
}

class Builder {
  private counter = 0;
  readonly live = new Map<string, ModelWorkload>();

  constructor(
    private readonly random: Random,
    private readonly options: GenerateOptions,
  ) {}

  /** A new workload's placement in `cloud`: a fresh id, private and (sometimes) public address. */
  placement(cloud: Cloud) {
    const n = ++this.counter;
    const network = this.random.pick(NETWORKS[cloud]);
    const privateIp = `${network.prefix}.${9 + Math.floor(n / 200)}.${10 + (n % 200)}`;
    const publicIp = this.random.chance(0.4) ? `198.18.${n >> 8}.${n & 255}` : undefined;
    return { id: this.workloadId(cloud, network.id, n), network: network.id, privateIp, publicIp };
  }

  private workloadId(cloud: Cloud, network: string, n: number): string {
    if (cloud === "aws") {
      const [, account, region] = network.split(":");
      return `aws:${account}:${region}:i-0f${n.toString(16).padStart(15, "0")}`;
    }
    if (cloud === "azure") return `azure:${SUBSCRIPTION}:rg-fuzz:vm-fz-${n}`;
    const project = this.options.sharedVpc && this.random.chance(0.5) ? "blog-prod-data" : "shop-prod";
    return `gcp:${project}:us-central1-a:fz-${n}`;
  }

  /** segsync labels, each present most of the time, now and then with a value no rule names. */
  tags(): Record<string, string> {
    const tags: Record<string, string> = {};
    // A workload leaving segsync altogether (issue 13 §2); only with additive, so that CI's seeds keep their cases.
    if (this.options.additive && this.random.chance(0.05)) return tags;
    if (this.random.chance(0.9))
      tags["seg-app"] = this.random.chance(0.05) ? "other" : this.random.pick(APPS);
    if (this.random.chance(0.85)) tags["seg-env"] = this.random.pick(ENVS);
    if (this.random.chance(0.9)) tags["seg-role"] = this.random.pick(ROLES);
    return tags;
  }

  cloud(): Cloud {
    return this.random.pick(CLOUD_LIST);
  }

  running(): ModelWorkload[] {
    return [...this.live.values()].filter((w) => w.state === "running");
  }
}

function withPublic<T extends object>(spec: T & { publicIp: string | undefined }) {
  const { publicIp, ...rest } = spec;
  return publicIp === undefined ? rest : { ...rest, publicIp };
}

function generateEstate(builder: Builder, random: Random): Estate {
  const count = random.int(4, 10);
  const workloads: Estate["workloads"][number][] = [];
  for (let index = 0; index < count; index++) {
    const cloud = builder.cloud();
    const placement = builder.placement(cloud);
    const state = random.chance(0.15) ? "stopped" : "running";
    workloads.push({ ...withPublic(placement), state, tags: builder.tags() });
    builder.live.set(placement.id, { id: placement.id, cloud, network: placement.network, state });
  }
  const networks = CLOUD_LIST.flatMap((cloud) =>
    NETWORKS[cloud].map(({ id, cidr, region }) => ({ id, cidr, ...(region ? { region } : {}) })),
  );
  return { apiVersion: "segsync/v1", kind: "Estate", networks, workloads };
}

function generateRule(random: Random, app: string): Record<string, unknown> {
  const services = [...new Set(Array.from({ length: random.int(1, 2) }, () => random.pick(SERVICES)))];
  const to = { role: random.pick(ROLES) };
  const source = random.weighted([
    ["role", 6],
    ["ipList", 2],
    ["extraScope", 2],
  ] as const);
  if (source === "ipList") return { from: { ipList: "corp-vpn" }, to, services };
  if (source === "extraScope") {
    const other = APPS.find((a) => a !== app) ?? "blog";
    return { from: { app: other, role: random.pick(ROLES) }, extraScope: true, to, services };
  }
  return { from: { role: random.pick(ROLES) }, to, services };
}

function generatePolicy(random: Random, options: GenerateOptions): Record<string, unknown> {
  const rulesets = APPS.filter(() => random.chance(0.9)).map((app) => {
    const scope: Record<string, string> = { app };
    if (random.chance(0.5)) scope.env = random.pick(ENVS);
    return {
      name: `${app}-${scope.env ?? "all"}`,
      scope,
      enforcement: random.chance(0.85) ? "enforced" : "visibility",
      rules: Array.from({ length: random.int(1, 4) }, () => generateRule(random, app)),
    };
  });
  const connected = random.chance(0.5) ? [[NETWORKS.aws[0]?.id, NETWORKS.azure[0]?.id]] : [];
  return {
    apiVersion: "segsync/v1",
    kind: "Policy",
    labels: { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    services: { web: ["tcp/80", "tcp/443"], postgres: ["tcp/5432"] },
    ipLists: { "corp-vpn": ["10.8.0.0/16", "192.168.50.0/24"] },
    networks: {
      connected,
      nat: random.chance(0.5) ? { [NETWORKS.gcp[0]?.id ?? ""]: ["203.0.113.10/32"] } : {},
    },
    attachment: options.additive && random.chance(0.5) ? "additive" : "exclusive",
    rulesets: rulesets.length > 0 ? rulesets : [],
  };
}

type StepChoice = "launch" | "retag" | "stop" | "start" | "terminate" | "migrate" | "reconcile" | "fullSync";

function generateStep(builder: Builder, random: Random): Step {
  const live = [...builder.live.values()];
  const running = builder.running();
  const stopped = live.filter((w) => w.state === "stopped");
  const choices: [StepChoice, number][] = [
    ["launch", 3],
    ["reconcile", 3],
    ["fullSync", 1],
  ];
  if (live.length > 0) choices.push(["retag", 3], ["terminate", 1]);
  if (running.length > 0) choices.push(["stop", 1], ["migrate", 1]);
  if (stopped.length > 0) choices.push(["start", 1]);
  const kind = random.weighted(choices);
  switch (kind) {
    case "launch": {
      const cloud = builder.cloud();
      const placement = builder.placement(cloud);
      builder.live.set(placement.id, {
        id: placement.id,
        cloud,
        network: placement.network,
        state: "running",
      });
      return { launch: { ...withPublic(placement), tags: builder.tags() } };
    }
    case "retag":
      return { retag: { id: random.pick(live).id, tags: builder.tags() } };
    case "stop": {
      const target = random.pick(running);
      target.state = "stopped";
      return { stop: { id: target.id } };
    }
    case "start": {
      const target = random.pick(stopped);
      target.state = "running";
      return { start: { id: target.id } };
    }
    case "terminate": {
      const target = random.pick(live);
      builder.live.delete(target.id);
      return { terminate: { id: target.id } };
    }
    case "migrate": {
      const from = random.pick(running);
      const cloud = random.pick(CLOUD_LIST.filter((c) => c !== from.cloud));
      const to = builder.placement(cloud);
      builder.live.delete(from.id);
      builder.live.set(to.id, { id: to.id, cloud, network: to.network, state: "running" });
      return { migrate: { from: from.id, to: withPublic(to) } };
    }
    case "reconcile":
      return { reconcile: {} };
    case "fullSync":
      return { fullSync: {} };
  }
}

/** A fault for the pipeline step at `at`, when the model has what it needs; may change the model. */
function pipelineFault(builder: Builder, random: Random, at: number): Fault | undefined {
  const kind = random.weighted([
    ["crash", 3],
    ["terminateWhileApplying", 2],
    ["editOwned", 1],
    ["editCustomer", 1],
  ] as const);
  const afterOperations = random.int(0, 3);
  if (kind === "crash") return { kind, at, afterWrites: random.int(0, 3) };
  if (kind === "editOwned") return { kind, at, cloud: "aws", afterOperations };
  if (kind === "editCustomer") {
    const gcp = builder.running().filter((w) => w.cloud === "gcp");
    if (gcp.length === 0) return undefined;
    return { kind, at, cloud: "gcp", afterOperations, workload: random.pick(gcp).id };
  }
  const live = [...builder.live.values()];
  if (live.length === 0) return undefined;
  const target = random.pick(live);
  builder.live.delete(target.id);
  return { kind, at, cloud: random.pick(CLOUD_LIST), afterOperations, workload: target.id };
}

/** Per cloud: AWS discovery makes many more calls than Azure's and GCP's (test/sim/faults-converge.test.ts). */
const SERVER_ERROR_RATES: Readonly<Record<Cloud, number>> = { aws: 0.03, azure: 0.1, gcp: 0.1 };

function windowFault(random: Random, steps: number): Fault {
  const from = random.int(0, steps - 1);
  const to = random.int(from, steps - 1);
  const cloud = random.pick(CLOUD_LIST);
  const seed = random.int(1, 1_000_000);
  if (random.chance(0.5)) return { kind: "throttle", cloud, rate: 0.3, seed, from, to };
  const lostResponseShare = random.pick([0, 0.5, 1]);
  return { kind: "serverErrors", cloud, rate: SERVER_ERROR_RATES[cloud], lostResponseShare, seed, from, to };
}

/** The campaign case of one seed. */
export function generateCase(seed: number, options: GenerateOptions = {}): FuzzCase {
  const random = new Random(seed);
  const builder = new Builder(random, options);
  const estate = generateEstate(builder, random);
  const v1 = generatePolicy(random, options);
  const policy = options.v2 ? withV2(v1, seed) : v1;
  const count = random.int(3, 12);
  const steps: Step[] = [];
  const faults: Fault[] = [];
  for (let index = 0; index < count; index++) {
    const step = generateStep(builder, random);
    steps.push(step);
    if (("reconcile" in step || "fullSync" in step) && random.chance(0.5)) {
      const fault = pipelineFault(builder, random, index);
      if (fault) faults.push(fault);
    }
  }
  for (let index = random.int(0, 2); index > 0; index--) faults.push(windowFault(random, steps.length));
  const delivery = random.chance(0.5)
    ? { duplicates: 0.3, reorder: true as const, seed: random.int(1, 1_000_000) }
    : undefined;
  return { seed, policy, estate, steps, ...(delivery ? { delivery } : {}), faults };
}
