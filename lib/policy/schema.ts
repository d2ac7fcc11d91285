/**
 * The zod schema of the raw policy document (`apiVersion: segsync/v1`, `kind: Policy`, with the
 * v2 additions: deny rules, `to: { ipList }` and egress), as users write it. It checks every value
 * on its own: shapes, types, defaults, unknown keys, name patterns, CIDRs, service syntax and
 * network ids. What needs the whole document (references, declared dimensions, scopes, repeated
 * ruleset names and deny rules) is checked by validate.ts.
 *
 * The same schema generates the JSON Schema that editors use, so patterns are written with
 * `.regex()` where JSON Schema can express them, and every field carries a description.
 */
import { z } from "zod";
import { idForms, networkIdProblem } from "../inventory/ids.js";
import { parseCidr } from "../net/cidr.js";
import { describeValue, quotingHint } from "../util/zod-issues.js";
import {
  DEFAULT_DIMENSIONS,
  DEFAULT_TAG_PREFIX,
  IP_LIST_KEY,
  LABEL_VALUE_PATTERN,
  NAME_PATTERN,
  RESERVED_SERVICE_NAMES,
  TAG_PREFIX_PATTERN,
} from "./names.js";
import { isInlineServiceSyntax, parseInlineService } from "./services.js";

const INLINE_SERVICE = String.raw`(?:tcp|udp)/\d{1,5}(?:-\d{1,5})?|icmp|all`;
const INLINE_SERVICE_PATTERN = new RegExp(`^(?:${INLINE_SERVICE})$`);
const RULE_SERVICE_PATTERN = new RegExp(`^(?:${INLINE_SERVICE}|${NAME_PATTERN.source.slice(1, -1)})$`);

const quote = (value: unknown): string => JSON.stringify(value);

/** Reports every repeated entry of a list at the repeat itself. */
function noRepeats(what: string) {
  return (list: readonly string[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    list.forEach((value, index) => {
      if (seen.has(value)) {
        ctx.addIssue({
          code: "custom",
          path: [index],
          input: value,
          message: `duplicate ${what} ${quote(value)}`,
        });
      }
      seen.add(value);
    });
  };
}

function nameSchema(what: string) {
  return z.string().regex(NAME_PATTERN, {
    error: (iss) => `${what} name ${quote(iss.input)} must match ${NAME_PATTERN.source}`,
  });
}

/**
 * A string that must match `pattern` (so editors check it too); an inline service is then also
 * checked for its ports, with the messages of parseInlineService.
 */
function serviceStringSchema(pattern: RegExp, syntaxMessage: (text: string) => string) {
  return z
    .string()
    .regex(pattern, { error: (iss) => syntaxMessage(String(iss.input)) })
    .superRefine((text, ctx) => {
      if (!pattern.test(text) || !isInlineServiceSyntax(text)) return;
      const parsed = parseInlineService(text);
      if (!parsed.ok) ctx.addIssue({ code: "custom", input: text, message: parsed.message });
    });
}

/** The message of parseInlineService for a string that is neither an inline service nor a name. */
function describeFailedService(text: string): string {
  const parsed = parseInlineService(text);
  return parsed.ok ? `${quote(text)} is not a service` : parsed.message;
}

/** In `services`: inline forms only, a named service cannot refer to another. */
const inlineServiceSchema = serviceStringSchema(
  INLINE_SERVICE_PATTERN,
  (text) =>
    `${quote(text)} is not an inline service: use tcp/<port>, udp/<port>, tcp/<from>-<to>, icmp or all`,
).meta({ description: "tcp/<port>, udp/<port>, tcp/<from>-<to>, udp/<from>-<to>, icmp or all" });

/** In a rule: an inline service or the name of one from `services`. */
const ruleServiceSchema = serviceStringSchema(RULE_SERVICE_PATTERN, describeFailedService).meta({
  description: "an inline service (tcp/443, udp/1000-2000, icmp, all) or a name from services",
});

const cidrSchema = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", input: text, message: parsed.message });
  })
  .meta({ description: "an IPv4 or IPv6 address or CIDR, host bits zero (10.8.0.0/16, 203.0.113.10)" });

/** Checked by the inventory's own id rules, so that the policy and discovery agree on every id. */
const networkIdSchema = z
  .string()
  .superRefine((text, ctx) => {
    const problem = networkIdProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: "custom", input: text, message: problem });
  })
  .meta({ description: inWords(idForms("network")) });

/** `a, b or c`. */
function inWords(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

const labelValueSchema = z.string().regex(LABEL_VALUE_PATTERN, {
  error: (iss) =>
    `label value ${quote(iss.input)} is not portable: it must match ${LABEL_VALUE_PATTERN.source}`,
});

const selectorValueSchema = z.union(
  [labelValueSchema, z.array(labelValueSchema).min(1).superRefine(noRepeats("value"))],
  {
    // Undefined defers to the common messages (a missing key).
    error: (iss) =>
      iss.input === undefined
        ? undefined
        : `expected a label value or a non-empty list of label values, got ${describeValue(iss.input)}${quotingHint(iss.input)}`,
  },
);

/** dimension → value, or → list of values (OR); dimensions are ANDed; `{}` matches every labelled workload. */
export const selectorSchema = z.record(z.string(), selectorValueSchema).meta({
  description:
    "Label selector: dimension → value or list of values (OR within a dimension, AND across dimensions). {} matches every workload that has a segsync label.",
});

function ipListEndSchema(description: string) {
  return z
    .strictObject({ [IP_LIST_KEY]: z.string().meta({ description: "a name from ipLists" }) })
    .meta({ description });
}

export const ipListSourceSchema = ipListEndSchema("Traffic from the addresses of a named ipList.");

export const ipListTargetSchema = ipListEndSchema(
  "Traffic to the addresses of a named ipList (v2: egress to addresses outside the estate).",
);

const ruleEndError = (iss: { input?: unknown }) =>
  iss.input === undefined ? undefined : "expected a label selector or { ipList: <name> }";

export const ruleSourceSchema = z.union([ipListSourceSchema, selectorSchema], { error: ruleEndError });

export const ruleTargetSchema = z.union([ipListTargetSchema, selectorSchema], { error: ruleEndError });

/** open: a workload may open any connection; enforced (v2): only what allow rules name. */
export const egressSchema = z.enum(["open", "enforced"]);

const dimensionSchema = z.string().regex(NAME_PATTERN, {
  error: (iss) =>
    iss.input === IP_LIST_KEY
      ? `"${IP_LIST_KEY}" cannot be a dimension: it names ipList sources in from`
      : `dimension ${quote(iss.input)} is not portable: it must match ${NAME_PATTERN.source}`,
});

export const labelsSchema = z.strictObject({
  tagPrefix: z
    .string()
    .regex(TAG_PREFIX_PATTERN, {
      error: (iss) =>
        `tagPrefix ${quote(iss.input)} is not portable: it must match ${TAG_PREFIX_PATTERN.source}`,
    })
    .default(DEFAULT_TAG_PREFIX)
    .meta({ description: "Tag (AWS, Azure) or label (GCP) key = tagPrefix + dimension." }),
  dimensions: z
    .array(dimensionSchema)
    .min(1)
    .superRefine(noRepeats("dimension"))
    .default(() => [...DEFAULT_DIMENSIONS])
    .meta({ description: "The label keys that selectors may use." }),
});

const serviceNameSchema = nameSchema("service").refine((name) => !RESERVED_SERVICE_NAMES.includes(name), {
  error: (iss) => `service name ${quote(iss.input)} is reserved for the inline service`,
});

export const servicesSchema = z
  .record(serviceNameSchema, z.array(inlineServiceSchema).min(1))
  .meta({ description: "Named sets of inline services, usable by name in rules." });

export const ipListsSchema = z.record(nameSchema("ipList"), z.array(cidrSchema).min(1)).meta({
  description: "Named lists of addresses and CIDRs, usable as a rule source with { ipList: <name> }.",
});

export const networksSchema = z.strictObject({
  connected: z
    .array(
      z
        .array(networkIdSchema)
        .min(2, { error: "a connected group needs at least 2 networks" })
        .superRefine(noRepeats("network")),
    )
    .default(() => [])
    .meta({
      description:
        "Groups of networks that route to each other privately. Not transitive: two networks are connected only when one group holds both.",
    }),
  nat: z
    .record(networkIdSchema, z.array(cidrSchema).min(1))
    .default(() => ({}))
    .meta({
      description: "network → the addresses its traffic leaves from towards networks it is not connected to.",
    }),
});

export const platformSchema = z.strictObject({
  azureLoadBalancerProbes: z
    .enum(["allow", "deny"])
    .default("allow")
    .meta({ description: "Keep Azure load balancer health probes working under default deny." }),
});

export const ruleSchema = z.strictObject({
  from: ruleSourceSchema.meta({ description: "Who connects: a label selector or { ipList: <name> }." }),
  to: ruleTargetSchema.meta({
    description:
      "Who is connected to: a label selector, always intersected with the scope, or { ipList: <name> } (v2: addresses outside the estate; not with an ipList in from).",
  }),
  services: z
    .array(ruleServiceSchema)
    .min(1)
    .meta({ description: "The services: names from services or inline services." }),
  extraScope: z
    .boolean()
    .default(false)
    .meta({ description: "from matches anywhere, not only inside the scope (label sources only)." }),
  description: z.string().optional().meta({ description: "For people; segsync ignores it." }),
});

export const rulesetSchema = z.strictObject({
  name: nameSchema("ruleset").meta({ description: "Unique; rule ids are <name>#<index>." }),
  scope: selectorSchema.meta({ description: "The workloads this ruleset is about." }),
  enforcement: z
    .enum(["enforced", "visibility"])
    .default("enforced")
    .meta({ description: "visibility: computed and reported, never written." }),
  egress: egressSchema.optional().meta({
    description:
      "v2: this ruleset's egress, instead of the policy's; it takes effect only where enforcement is enforced.",
  }),
  rules: z.array(ruleSchema).meta({ description: "Allowed flows; everything else is denied (ingress)." }),
  deny: z
    .array(ruleSchema)
    .min(1, { error: "must list at least one deny rule (leave deny out for none)" })
    .optional()
    .meta({
      description: "v2: denied flows, written as rules are; they beat every allow rule of every ruleset.",
    }),
});

export const policyDocumentSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "The JSON Schema of this file, for editors." }),
    apiVersion: z.literal("segsync/v1"),
    kind: z.literal("Policy"),
    labels: labelsSchema
      .prefault({})
      .meta({ description: "Which tags are labels, and under which dimensions." }),
    services: servicesSchema.default(() => ({})),
    ipLists: ipListsSchema.default(() => ({})),
    networks: networksSchema.prefault({}).meta({ description: "How networks reach each other." }),
    platform: platformSchema.prefault({}).meta({ description: "Cloud-specific settings." }),
    attachment: z.enum(["exclusive", "additive"]).default("exclusive").meta({
      description: "exclusive: enforced workloads carry only segsync's objects; additive: others stay.",
    }),
    egress: egressSchema.default("open").meta({
      description:
        "v2: every ruleset's egress unless it sets its own: open, or enforced (only what allow rules name).",
    }),
    rulesets: z.array(rulesetSchema).meta({ description: "Scopes, each with its allowed flows." }),
  })
  .meta({
    description: "A segsync policy: allowed flows between labelled workloads across AWS, Azure and GCP.",
  });

/** The document after parsing: defaults applied, nothing resolved yet. */
export type RawPolicy = z.output<typeof policyDocumentSchema>;
/** The document as users write it. */
export type RawPolicyInput = z.input<typeof policyDocumentSchema>;
export type RawRuleset = RawPolicy["rulesets"][number];
export type RawRule = RawRuleset["rules"][number];
export type RawSelector = z.output<typeof selectorSchema>;
export type RawRuleSource = z.output<typeof ruleSourceSchema>;
export type RawRuleTarget = z.output<typeof ruleTargetSchema>;
