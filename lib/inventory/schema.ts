/**
 * zod schemas for the inventory model (model.ts), used wherever inventory data crosses a trust
 * boundary: the file store, estate files, events. Objects are strict so that a misspelt field is
 * an error rather than silently dropped.
 */
import { z } from "zod";
import { parseCidr } from "../net/cidr.js";
import { cloudOfId, NetworkIdSchema, WorkloadIdSchema } from "./ids.js";
import type { Cloud, Inventory, Network, Nic, Workload } from "./model.js";

/**
 * One IPv4 or IPv6 address in canonical text (`10.0.0.1`, `2001:db8::1`): addresses are compared
 * as text downstream, so `2001:DB8::1` would silently be a different address.
 */
export const IpAddressSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if (text.includes("/") || !parsed.ok) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a single IPv4 or IPv6 address` });
    return;
  }
  const canonical = parsed.cidr.text.slice(0, parsed.cidr.text.indexOf("/"));
  if (canonical !== text) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not in canonical form: write "${canonical}"` });
  }
});

/** A CIDR block in canonical text with no host bits set, e.g. `10.1.0.0/16`. */
export const CidrSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseCidr(text);
  if (!text.includes("/") || !parsed.ok) {
    const why = parsed.ok ? "it has no prefix length" : parsed.message;
    ctx.addIssue({ code: "custom", message: `"${text}" is not a CIDR block: ${why}` });
  } else if (parsed.cidr.text !== text) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not in canonical form: write "${parsed.cidr.text}"`,
    });
  }
});

export const WorkloadStateSchema = z.enum(["running", "stopped"]);

export const NicSchema: z.ZodType<Nic> = z.strictObject({
  id: z.string().min(1).optional(),
  network: NetworkIdSchema,
  privateIp: IpAddressSchema,
  publicIp: IpAddressSchema.optional(),
});

export const WorkloadSchema: z.ZodType<Workload> = z
  .strictObject({
    id: WorkloadIdSchema,
    state: WorkloadStateSchema,
    nics: z.array(NicSchema).min(1, "a workload has at least one NIC"),
    tags: z.record(z.string(), z.string()),
  })
  .superRefine((workload, ctx) => {
    // An instance's NICs live in its own cloud; a mismatch means the record was assembled wrongly.
    const cloud = safeCloudOf(workload.id);
    for (const [index, nic] of workload.nics.entries()) {
      const nicCloud = safeCloudOf(nic.network);
      if (cloud !== undefined && nicCloud !== undefined && nicCloud !== cloud) {
        ctx.addIssue({
          code: "custom",
          path: ["nics", index, "network"],
          message: `network ${nic.network} is in ${nicCloud}, but the workload is in ${cloud}`,
        });
      }
    }
  });

export const NetworkSchema: z.ZodType<Network> = z.strictObject({
  id: NetworkIdSchema,
  cidr: CidrSchema.optional(),
  region: z.string().min(1).optional(),
});

export const InventorySchema: z.ZodType<Inventory> = z
  .strictObject({
    workloads: z.array(WorkloadSchema),
    networks: z.array(NetworkSchema),
  })
  .superRefine((inventory, ctx) => {
    addDuplicateIssues(
      inventory.workloads.map((workload) => workload.id),
      "workloads",
      "workload",
      ctx,
    );
    addDuplicateIssues(
      inventory.networks.map((network) => network.id),
      "networks",
      "network",
      ctx,
    );
  });

/** Reports every repeated id at the index of its repetition. */
export function addDuplicateIssues(
  ids: readonly string[],
  listKey: string,
  kind: string,
  ctx: z.RefinementCtx,
  idPath: readonly (string | number)[] = ["id"],
): void {
  const firstIndex = new Map<string, number>();
  for (const [index, id] of ids.entries()) {
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else {
      ctx.addIssue({
        code: "custom",
        path: [listKey, index, ...idPath],
        message: `${kind} ${id} is listed twice (first at index ${first})`,
      });
    }
  }
}

function safeCloudOf(id: string): Cloud | undefined {
  try {
    return cloudOfId(id);
  } catch {
    return undefined;
  }
}
