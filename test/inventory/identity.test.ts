import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidLabelsError } from "../../lib/inventory/errors.js";
import {
  canonicalIdentity,
  identityHash,
  identityOf,
  OWNED_NAME_PREFIX,
  ownedName,
} from "../../lib/inventory/identity.js";
import { readLabels } from "../../lib/inventory/labels.js";

/** An independent base32 (RFC 4648, lowercase) of the sha256, written bit by bit as text. */
function referenceHash(canonical: string): string {
  const digest = createHash("sha256").update(canonical, "utf8").digest();
  const bits = [...digest].map((byte) => byte.toString(2).padStart(8, "0")).join("");
  let hash = "";
  for (let i = 0; i < 60; i += 5)
    hash += "abcdefghijklmnopqrstuvwxyz234567"[Number.parseInt(bits.slice(i, i + 5), 2)];
  return hash;
}

describe("canonicalIdentity", () => {
  it("joins dimension=value pairs in code-point order of the dimensions", () => {
    expect(canonicalIdentity({ role: "web", app: "shop", env: "prod" })).toBe("app=shop,env=prod,role=web");
    expect(canonicalIdentity({ b: "1", a_b: "2", "a-b": "3", a: "4" })).toBe("a=4,a-b=3,a_b=2,b=1");
  });

  it("leaves out dimensions without a value, and has no identity without labels", () => {
    const { labels } = readLabels(
      { "seg-app": "shop", "seg-role": "web" },
      { tagPrefix: "seg-", dimensions: ["app", "env", "role"] },
    );
    expect(canonicalIdentity(labels)).toBe("app=shop,role=web");
    expect(canonicalIdentity({})).toBeUndefined();
    expect(identityOf({})).toBeUndefined();
  });

  it("refuses labels that could make two tuples look alike", () => {
    expect(() => canonicalIdentity({ app: "shop,env=prod" })).toThrow(InvalidLabelsError);
    expect(() => canonicalIdentity({ App: "shop" })).toThrow(InvalidLabelsError);
    expect(() => canonicalIdentity({ app: "" })).toThrow(InvalidLabelsError);
  });
});

describe("identityHash", () => {
  it("is pinned: owned objects in every cloud are named after it, so it must never change", () => {
    expect(identityHash("app=shop,env=prod,role=web")).toBe("neltvvat3ib5");
    expect(identityHash("app=shop")).toBe("fj6d7vre7ano");
  });

  it("is the first 12 base32 characters of sha256", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        expect(identityHash(text)).toBe(referenceHash(text));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("identityOf", () => {
  it("returns the identity and its hash", () => {
    expect(identityOf({ env: "prod", app: "shop", role: "web" })).toEqual({
      identity: "app=shop,env=prod,role=web",
      hash: "neltvvat3ib5",
    });
  });
});

describe("ownedName", () => {
  it("prefixes the hash with the ownership marker", () => {
    expect(ownedName("neltvvat3ib5")).toBe("segsync-neltvvat3ib5");
    expect(OWNED_NAME_PREFIX).toBe("segsync-");
  });

  it("refuses anything that is not an identity hash", () => {
    expect(() => ownedName("NELTVVAT3IB5")).toThrow(TypeError);
    expect(() => ownedName("neltvvat3ib")).toThrow(TypeError);
  });
});

const keyArb = fc.stringMatching(/^[a-z][a-z0-9_-]{0,62}$/);
const valueArb = fc.stringMatching(/^[a-z0-9_-]{1,63}$/);
const labelsArb = fc.dictionary(keyArb, valueArb, { minKeys: 1, maxKeys: 6 });

// Naming rules of the objects that carry the name (docs/clouds.md, "GCP network tags" and
// "Labels across clouds"; Azure and AWS naming docs).
const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const AZURE_NSG_OR_ASG_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*[a-zA-Z0-9_]$/;
const AWS_SG_NAME = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

describe("identities (properties)", () => {
  it("name objects validly in every cloud, for any portable labels", () => {
    fc.assert(
      fc.property(labelsArb, (labels) => {
        const identity = identityOf(labels);
        expect(identity).toBeDefined();
        const name = ownedName(identity?.hash ?? "");
        // GCP network tag and VPC firewall rule name: RFC 1035, at most 63, lowercase, no `_`.
        expect(name).toMatch(GCP_NAME);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name).not.toContain("_");
        // Azure NSG and ASG names: at most 80.
        expect(name).toMatch(AZURE_NSG_OR_ASG_NAME);
        expect(name.length).toBeLessThanOrEqual(80);
        // AWS security group name: at most 255, and `sg-` is reserved for ids.
        expect(name).toMatch(AWS_SG_NAME);
        expect(name.startsWith("sg-")).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it("do not depend on the order of the dimensions", () => {
    fc.assert(
      fc.property(
        labelsArb.chain((labels) => {
          const entries = Object.entries(labels);
          return fc.tuple(fc.constant(labels), fc.shuffledSubarray(entries, { minLength: entries.length }));
        }),
        ([labels, reordered]) => {
          expect(identityOf(Object.fromEntries(reordered))).toEqual(identityOf(labels));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("differ for different labels", () => {
    fc.assert(
      fc.property(labelsArb, labelsArb, (a, b) => {
        fc.pre(JSON.stringify(Object.entries(a).sort()) !== JSON.stringify(Object.entries(b).sort()));
        expect(canonicalIdentity(a)).not.toBe(canonicalIdentity(b));
      }),
      { numRuns: 1000 },
    );
  });
});
