/**
 * `flows check` where the source's egress is enforced (docs/flows.md, "Checking flows"):
 * examples/policy-v2.yaml, whose shop in production opens only what its rules say, on
 * examples/estate.yaml. The source's egress is checked first; the verdict says which end decided.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { verdictText } from "../../cli/flows-text.js";
import { FlowCheck } from "../../lib/flows/check.js";
import { FlowVerdicts } from "../../lib/flows/verdict.js";
import { loadPolicyFile, loadPolicyText } from "../../lib/policy/load.js";
import type { Policy } from "../../lib/policy/model.js";
import { REPO_ROOT } from "../policy/fixtures.js";
import { ADDRESS, type Examples, examplesFor } from "./check-support.js";

/** shop-web-dev's public address (examples/estate.yaml). */
const SHOP_WEB_DEV = "35.0.0.11";

let ex: Examples;
let verdicts: FlowVerdicts;

beforeAll(async () => {
  const loaded = await loadPolicyFile(join(REPO_ROOT, "examples", "policy-v2.yaml"));
  if (!loaded.ok) throw new Error("examples/policy-v2.yaml must load");
  ex = await examplesFor(() => loaded.policy as Policy);
  verdicts = new FlowVerdicts(ex.intent, ex.policy);
});

const verdict = (fields: Parameters<Examples["resolved"]>[0]) => verdicts.verdictOf(ex.resolved(fields));

describe("the verdict of a connection from an egress-enforced source", () => {
  it("is denied at the source when its egress does not open it, whatever the destination accepts", () => {
    // web may open api on tcp/8080 only; db's ingress is enforced too, but the source decides first.
    expect(verdict({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db })).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
      end: "source",
    });
  });

  it("names the deny rule that denies it at the source", () => {
    // dev-boundaries denies prod to dev: shop-web-dev, reached at its public address.
    expect(
      verdict({ initiatorAddress: ADDRESS.web, responderAddress: SHOP_WEB_DEV, responderPort: 80 }),
    ).toEqual({ kind: "denied", rule: "dev-boundaries#deny-0", onceEnforced: false, end: "source" });
  });

  it("is decided at the destination when the source's egress opens it", () => {
    expect(
      verdict({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.api, responderPort: 8080 }),
    ).toEqual({ kind: "allowed", rule: "shop-prod#0", onceEnforced: false, end: "destination" });
  });

  it("gives outside addresses a verdict by the source's egress alone", () => {
    const toOutside = (address: string) =>
      verdict({ initiatorAddress: ADDRESS.api, responderAddress: address, responderPort: 443 });
    expect(toOutside("198.51.100.7")).toEqual({
      kind: "allowed",
      rule: "shop-prod#3",
      onceEnforced: false,
      end: "source",
    });
    // In no ipList: without enforced egress, unknown; with it, the source's egress denies it.
    expect(toOutside("203.0.113.99")).toEqual({
      kind: "denied",
      rule: null,
      onceEnforced: false,
      end: "source",
    });
  });

  it("leaves a source whose egress is open to the destination alone, without an end", () => {
    // prometheus (app monitoring) is in no egress-enforced scope.
    expect(
      verdict({ initiatorAddress: ADDRESS.prometheus, responderAddress: ADDRESS.db, responderPort: 9100 }),
    ).toEqual({ kind: "denied", rule: null, onceEnforced: false });
  });
});

describe("flows check with egress", () => {
  it("leads with what the source's egress would block, saying at which end", () => {
    const check = new FlowCheck(ex.intent, ex.policy);
    check.add(ex.resolved({ initiatorAddress: ADDRESS.web, responderAddress: ADDRESS.db }));
    check.add(
      ex.resolved({ initiatorAddress: ADDRESS.api, responderAddress: "198.51.100.7", responderPort: 443 }),
    );
    const report = check.report();
    expect(report.summary).toMatchObject({ groups: 2, wouldBlock: 1, allowed: 1, denied: 1, unknown: 0 });
    const [blocked, allowed] = report.groups;
    expect(blocked?.wouldBlock).toBe(true);
    expect(verdictText(blocked?.verdict ?? { kind: "not-enforced" })).toBe(
      "denied by default at the source's egress",
    );
    expect(allowed?.destination).toEqual({
      kind: "ipList",
      name: "payments-gateway",
      address: "198.51.100.7",
    });
    expect(verdictText(allowed?.verdict ?? { kind: "not-enforced" })).toBe(
      "allowed by shop-prod#3 at the source's egress",
    );
  });
});

describe("a connection between networks, as the destination's log has it", () => {
  it("is opened by the source's egress by the destination's identity, whatever address the log shows", async () => {
    // web may also open web on tcp/443: shop-web-1 (AWS) to shop-web-3 (GCP) goes by its public address.
    const text = readFileSync(join(REPO_ROOT, "examples", "policy-v2.yaml"), "utf8").replace(
      "      - from: { ipList: corp-vpn }\n",
      "      - from: { role: web }\n        to: { role: web }\n        services: [tcp/443]\n      - from: { ipList: corp-vpn }\n",
    );
    const loaded = loadPolicyText(text, "policy-v2.yaml");
    if (!loaded.ok) throw new Error("the policy must load");
    const webs = await examplesFor(() => loaded.policy);
    const check = new FlowVerdicts(webs.intent, webs.policy);
    const of = (responderAddress: string) =>
      check.verdictOf(
        webs.resolved({ initiatorAddress: "54.0.0.11", responderAddress, responderPort: 443, format: "gcp" }),
      );
    const allowed = { kind: "allowed", rule: "shop-prod#2", onceEnforced: false, end: "destination" };
    // The source's log: its public address to the destination's; the destination's: to its private one.
    expect(of("34.0.0.21")).toEqual(allowed);
    expect(of("10.3.0.21")).toEqual(allowed);
  });
});
