import type { GcpFirewall } from "./model.js";

/**
 * One Compute write. A plan is a list of these in make-before-break order (diff.ts): insert new
 * rules, tag instances (which puts them under their rules at once), update rules, then delete
 * what nothing uses any more.
 */
export type GcpOperation = { readonly project: string } & (
  | { readonly kind: "insertFirewall"; readonly firewall: GcpFirewall }
  | {
      readonly kind: "setTags";
      readonly zone: string;
      readonly name: string;
      readonly workload: string;
      readonly before: readonly string[];
      readonly items: readonly string[];
      readonly fingerprint: string;
    }
  | {
      readonly kind: "patchFirewall";
      readonly firewall: GcpFirewall;
      readonly before: GcpFirewall;
      /**
       * Only adds source tags that instances gain in this plan, before their setTags: the rule's
       * final patch follows them (diff.ts, patchWrites).
       */
      readonly widening?: true;
    }
  | {
      readonly kind: "deleteFirewall";
      readonly name: string;
      /**
       * Deleted before the new rules are inserted, because old and new together would pass the
       * project's rule quota: allow rules no longer wanted go first, denies last.
       */
      readonly toMakeRoom?: true;
    }
);

export const GCP_OPERATION_ORDER: readonly GcpOperation["kind"][] = [
  "insertFirewall",
  "setTags",
  "patchFirewall",
  "deleteFirewall",
];
