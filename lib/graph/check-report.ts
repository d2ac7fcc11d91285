/**
 * What `flows check --json` writes (docs/graph.md, "Observed flows"), read at the edge: every value
 * the overlay uses is checked, and the first that breaks the contract is named by its JSON path.
 * Keys the contract does not name are ignored, so a later check can add some.
 */
import { z } from "zod";
import { WorkloadIdSchema } from "../inventory/ids.js";
import { parseCidr } from "../net/cidr.js";
import { FlowCheckReportError } from "./errors.js";

const Count = z.number().int().nonnegative();

const Address = z.string().refine((text) => !text.includes("/") && parseCidr(text).ok, {
  message: "must be an IPv4 or IPv6 address",
});

const Endpoint = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("workload"), workload: WorkloadIdSchema, identity: z.string() }),
  z.object({ kind: z.literal("ipList"), name: z.string().min(1), address: Address }),
  z.object({ kind: z.literal("outside"), address: Address }),
]);

/** A protocol name or number, with the responder's port where the protocol has ports. */
const Service = z
  .string()
  .regex(/^[a-z0-9-]+(\/\d{1,5})?$/, {
    message: 'must be "<protocol>/<port>" or a protocol, e.g. "tcp/5432", "icmp"',
  })
  .refine((text) => Number(text.split("/")[1] ?? 0) <= 65535, { message: "port must be at most 65535" });

/** Which end decided, where the source's egress is enforced (absent in older reports and without it). */
const End = z.enum(["source", "destination"]).optional();

const Verdict = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("allowed"), rule: z.string().min(1), onceEnforced: z.boolean(), end: End }),
  z.object({
    kind: z.literal("denied"),
    rule: z.string().min(1).nullable(),
    onceEnforced: z.boolean(),
    end: End,
  }),
  z.object({ kind: z.literal("not-enforced") }),
  z.object({ kind: z.literal("unknown"), reason: z.string() }),
]);

const Group = z
  .object({
    source: Endpoint,
    destination: Endpoint,
    service: Service,
    observed: z.enum(["accepted", "rejected"]),
    connections: z.number().int().positive(),
    firstSeen: z.iso.datetime(),
    lastSeen: z.iso.datetime(),
    verdict: Verdict,
    wouldBlock: z.boolean(),
  })
  .superRefine((group, ctx) => {
    if (Date.parse(group.lastSeen) < Date.parse(group.firstSeen))
      ctx.addIssue({ code: "custom", path: ["lastSeen"], message: "is before firstSeen" });
    const wouldBlock = group.observed === "accepted" && group.verdict.kind === "denied";
    if (group.wouldBlock !== wouldBlock)
      ctx.addIssue({
        code: "custom",
        path: ["wouldBlock"],
        message: `must be ${wouldBlock}: true exactly when observed is accepted and the verdict denied`,
      });
  });

const Summary = z.object({
  connections: Count,
  groups: Count,
  wouldBlock: Count,
  allowed: Count,
  denied: Count,
  notEnforced: Count,
  unknown: Count,
  directionUnknown: Count,
  malformed: Count,
});

const Finding = z.object({ code: z.string(), subject: z.string(), message: z.string() });

const CheckReportSchema = z.object({
  summary: Summary,
  groups: z.array(Group),
  findings: z.array(Finding),
});

export type CheckReport = z.infer<typeof CheckReportSchema>;
export type CheckGroup = CheckReport["groups"][number];
export type CheckEndpoint = CheckGroup["source"];
export type CheckSummary = CheckReport["summary"];
export type CheckFinding = CheckReport["findings"][number];

/** The report in `text`, read from `file`; throws FlowCheckReportError naming the first bad value. */
export function parseCheckReport(text: string, file: string): CheckReport {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new FlowCheckReportError(file, "not JSON: --flows reads what `segsync flows check --json` writes", {
      cause: error,
    });
  }
  const parsed = CheckReportSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") || "(root)";
  throw new FlowCheckReportError(file, `${path}: ${issue?.message ?? "does not have the expected shape"}`, {
    cause: parsed.error,
  });
}
