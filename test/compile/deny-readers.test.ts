import { describe, expect, it } from "vitest";
import type { AllowTemplate, DenyTemplate } from "../../lib/compile/deny.js";
import { cutSignature, type SeenAddresses } from "../../lib/compile/deny-readers.js";
import { AddressRanges } from "../../lib/net/cidr.js";

const all = [{ protocol: "all" }] as const;
const corp: AllowTemplate = { kind: "ipList", name: "corp", cidrs: ["10.0.0.0/24"], services: all };

function denyOf(identities: ReadonlySet<string>): DenyTemplate {
  return { kind: "identities", rule: "r#deny-0", regionKey: "labels:dev", identities, services: all };
}

/** Addresses as the compiler keeps them: a region made anew (a new object) whenever its identities move. */
function seenOf(addresses: Readonly<Record<string, readonly string[]>>): SeenAddresses {
  const source = (identity: string) => AddressRanges.of(addresses[identity] ?? []);
  const region = AddressRanges.unionOf(Object.keys(addresses).map(source));
  return { source, nat: () => AddressRanges.EMPTY, region: () => region };
}

describe("cutSignature", () => {
  it("changes when an address the region meets passes from one denied identity to another", () => {
    // The deny rule's live set of identities: the same object from one event to the next.
    const identities = new Set(["dev-a", "dev-b"]);
    const template = { allows: [corp], denies: [denyOf(identities)] };
    const before = cutSignature(template, seenOf({ "dev-a": ["10.0.0.5"], "dev-b": [] }));
    const after = cutSignature(template, seenOf({ "dev-a": [], "dev-b": ["10.0.0.5"] }));
    expect(after).not.toBe(before);
    // Equal to what a fresh reading of the same addresses gives.
    const fresh = { allows: [corp], denies: [denyOf(new Set(identities))] };
    expect(after).toBe(cutSignature(fresh, seenOf({ "dev-a": [], "dev-b": ["10.0.0.5"] })));
  });
});
