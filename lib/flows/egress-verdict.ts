/**
 * The policy's verdict on one observed connection at its source's egress (docs/flows.md,
 * "Checking flows"): where the initiator is a workload whose egress is enforced, the compiled
 * intent's egress grants (Intent.egress) say what it may open: a workload of an identity it may
 * open, or an address its grants hold, as its cloud decides it (docs/policy.md, "Deny rules and
 * egress (v2)"). A connection no grant admits is
 * denied by the first deny rule that matches it, else by default. A NAT address stands for every
 * workload behind it: its egress has a verdict when each of them is egress-enforced and gives the
 * same one; when they differ and one of them would not let it out, it is a split, naming each. Pure.
 */
import { identityLabels } from "../compile/deny-match.js";
import type { EgressGrant, EgressIntent, Intent } from "../compile/model.js";
import { selectorMatches } from "../compile/selector-index.js";
import type { WorkloadId } from "../inventory/model.js";
import { cidrContains } from "../net/cidr.js";
import type { Policy } from "../policy/model.js";
import type { ResolvedConnection, ResolvedEndpoint } from "./resolve.js";
import { type Admits, RuleServices } from "./rule-order.js";

/** The source's egress on a connection: the allow rule that lets it open it, or the deny rule (null: by default). */
export type EgressVerdict =
  | { readonly kind: "allowed"; readonly rule: string }
  | { readonly kind: "denied"; readonly rule: string | null };

/** One workload behind a NAT address, and its egress's verdict (undefined: open). */
export interface HolderEgress {
  readonly workload: WorkloadId;
  readonly verdict: EgressVerdict | undefined;
}

/** The workloads behind a NAT address, whose egress does not all decide alike, and some of which would not let it out. */
export interface EgressSplit {
  readonly kind: "split";
  readonly address: string;
  readonly holders: readonly HolderEgress[];
}

type NatEndpoint = Extract<ResolvedEndpoint, { kind: "nat" }>;

/** The intent's egress indexed for verdicts: built once, then one lookup per connection. */
export class EgressVerdicts {
  /** `<workload> <network>` → the egress entry it is a running member of there. */
  private readonly entries = new Map<string, EgressIntent>();
  /** Workload → its identity, for grants to identities; and its labels, for deny rules' `from` and `to`. */
  private readonly identities = new Map<WorkloadId, string>();
  private readonly labels = new Map<WorkloadId, Readonly<Record<string, string>>>();
  /** `<NAT address> <responder> <protocol>/<port>` → the verdict of the workloads behind the address. */
  private readonly natVerdicts = new Map<string, EgressVerdict | EgressSplit | undefined>();

  /** `ruleServices`: the policy's rules' own services, shared with the ingress verdicts. */
  constructor(
    intent: Intent,
    private readonly policy?: Policy,
    private readonly ruleServices = new RuleServices(policy),
  ) {
    for (const entry of intent.egress ?? [])
      for (const member of entry.members) this.entries.set(`${member.workload} ${entry.network}`, entry);
    if (this.entries.size > 0)
      for (const report of intent.workloads) {
        if (report.identity === "") continue;
        this.identities.set(report.workload, report.identity);
        this.labels.set(report.workload, identityLabels(report.identity));
      }
  }

  /**
   * The verdict of the initiator's egress; undefined when it is not a workload whose egress is
   * enforced in the network it sent from (then its egress is open, and only the responder decides),
   * nor a NAT address whose workloads' egress all lets it out or all decides it alike. `admits`
   * says whether services admit the connection's service (a NAT address's verdicts are kept by it).
   */
  verdictOf(connection: ResolvedConnection, admits: Admits): EgressVerdict | EgressSplit | undefined {
    const { initiator, responder } = connection;
    if (initiator.kind === "nat") {
      if (this.entries.size === 0) return undefined;
      // Each workload behind the address is checked: once per responder and service, not per connection.
      const { protocol, port } = connection.service;
      const responderKey = responder.kind === "workload" ? `${responder.workload} ` : "";
      const key = `${initiator.address} ${responderKey}${responder.address} ${protocol}/${port ?? ""}`;
      if (!this.natVerdicts.has(key))
        this.natVerdicts.set(key, this.natVerdictOf(initiator, responder, admits));
      return this.natVerdicts.get(key);
    }
    if (initiator.kind !== "workload") return undefined;
    const entry = this.entries.get(`${initiator.workload} ${initiator.network}`);
    return entry === undefined ? undefined : this.entryVerdict(initiator.workload, entry, responder, admits);
  }

  /**
   * Every workload behind the address egress-enforced with one verdict: that verdict. Every one
   * letting it out (open, or allowed by different rules): undefined, the responder decides. Else a
   * split: which of them sent it the log cannot tell, and no one of them is picked.
   */
  private natVerdictOf(
    initiator: NatEndpoint,
    responder: ResolvedEndpoint,
    admits: Admits,
  ): EgressVerdict | EgressSplit | undefined {
    const holders = initiator.workloads.map((workload): HolderEgress => {
      const network = initiator.networks.find((each) => this.entries.has(`${workload} ${each}`));
      const entry = network === undefined ? undefined : this.entries.get(`${workload} ${network}`);
      const verdict = entry === undefined ? undefined : this.entryVerdict(workload, entry, responder, admits);
      return { workload, verdict };
    });
    const [first] = holders;
    const alike = holders.every(
      ({ verdict }) => verdict !== undefined && JSON.stringify(verdict) === JSON.stringify(first?.verdict),
    );
    if (alike) return first?.verdict;
    if (holders.every(({ verdict }) => verdict?.kind !== "denied")) return undefined;
    return { kind: "split", address: initiator.address, holders };
  }

  private entryVerdict(
    workload: WorkloadId,
    entry: EgressIntent,
    responder: ResolvedEndpoint,
    admits: Admits,
  ): EgressVerdict {
    const identity = responder.kind === "workload" ? this.identities.get(responder.workload) : undefined;
    const rules = entry.opens
      .filter((grant) => admits(grant.services) && opensTo(grant, responder.address, identity))
      .flatMap((grant) => grant.rules);
    const first = this.ruleServices.firstAdmitting(rules, admits);
    if (first !== undefined) return { kind: "allowed", rule: first };
    return { kind: "denied", rule: this.denyRuleOf(workload, responder, admits) };
  }

  /** The first deny rule, in policy order, whose `from` holds the source and `to` the responder. */
  private denyRuleOf(source: WorkloadId, responder: ResolvedEndpoint, admits: Admits): string | null {
    const sourceLabels = this.labels.get(source);
    if (this.policy === undefined || sourceLabels === undefined) return null;
    const responderLabels = responder.kind === "workload" ? this.labels.get(responder.workload) : undefined;
    for (const ruleset of this.policy.rulesets)
      for (const rule of ruleset.deny) {
        if (rule.from.kind !== "labels" || !selectorMatches(rule.from.selector, sourceLabels)) continue;
        if (!admits(rule.services)) continue;
        const to = rule.to;
        const held =
          to.kind === "ipList"
            ? to.cidrs.some((cidr) => cidrContains(cidr, responder.address))
            : responderLabels !== undefined && selectorMatches(to.selector, responderLabels);
        if (held) return rule.id;
      }
    return null;
  }
}

/**
 * Whether the grant's target holds the responder: its identity, when the responder is a workload
 * of the identity the grant opens to (a log at the destination shows its private address, where
 * the source sent to its public one); else the address the source sent to (of its own family).
 */
function opensTo(grant: EgressGrant, address: string, identity: string | undefined): boolean {
  const { target } = grant;
  if (target.kind === "identity" && identity !== undefined && target.identity === identity) return true;
  return target.cidrs.some(
    (cidr) => cidr.includes(":") === address.includes(":") && cidrContains(cidr, address),
  );
}

/** What each workload behind a split NAT address's egress says: `vm-1 denied by default, vm-2 allowed by shop#3, vm-3 open`. */
export function splitText(split: EgressSplit): string {
  const said = split.holders.map(({ workload, verdict }) => {
    if (verdict === undefined) return `${workload} open`;
    if (verdict.kind === "allowed") return `${workload} allowed by ${verdict.rule}`;
    return `${workload} denied ${verdict.rule === null ? "by default" : `by ${verdict.rule}`}`;
  });
  return `NAT address ${split.address} stands for ${split.holders.length} workloads whose egress differs: ${said.join(", ")}`;
}
