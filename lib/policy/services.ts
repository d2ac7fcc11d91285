import type { Service } from "./model.js";

const PROTOCOL_ORDER = { tcp: 0, udp: 1, icmp: 2, all: 3 } as const;

export type ServiceParseResult = { ok: true; service: Service } | { ok: false; message: string };

/** Parses the inline forms `tcp/80`, `udp/1000-2000`, `icmp` and `all`. */
export function parseInlineService(text: string): ServiceParseResult {
  if (text === "icmp") return { ok: true, service: { protocol: "icmp" } };
  if (text === "all") return { ok: true, service: { protocol: "all" } };
  const match = /^(tcp|udp)\/(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) {
    return {
      ok: false,
      message: `"${text}" is not a service: use tcp/<port>, udp/<port>, tcp/<from>-<to>, icmp, all or a name from services`,
    };
  }
  const protocol = match[1] as "tcp" | "udp";
  const fromPort = Number(match[2]);
  const toPort = match[3] === undefined ? fromPort : Number(match[3]);
  for (const port of [fromPort, toPort]) {
    if (port < 1 || port > 65535)
      return { ok: false, message: `port ${port} in "${text}" is outside 1-65535` };
  }
  if (toPort < fromPort) return { ok: false, message: `range "${text}" ends before it starts` };
  return { ok: true, service: { protocol, fromPort, toPort } };
}

/** Looks like an inline service (so it is not a service name). */
export function isInlineServiceSyntax(text: string): boolean {
  return text === "icmp" || text === "all" || /^(tcp|udp)\//.test(text);
}

export function formatService(service: Service): string {
  if (service.protocol === "icmp" || service.protocol === "all") return service.protocol;
  const ports =
    service.fromPort === service.toPort ? `${service.fromPort}` : `${service.fromPort}-${service.toPort}`;
  return `${service.protocol}/${ports}`;
}

/**
 * The canonical form of a set of services: `all` absorbs everything; per protocol, port ranges
 * are sorted and overlapping or adjacent ones merged; icmp at most once. Two sets that admit the
 * same traffic have the same canonical form.
 */
export function normalizeServices(services: Iterable<Service>): Service[] {
  const ranges: Record<"tcp" | "udp", [number, number][]> = { tcp: [], udp: [] };
  let icmp = false;
  for (const service of services) {
    if (service.protocol === "all") return [{ protocol: "all" }];
    if (service.protocol === "icmp") icmp = true;
    else ranges[service.protocol].push([service.fromPort, service.toPort]);
  }
  const result: Service[] = [];
  for (const protocol of ["tcp", "udp"] as const) {
    const sorted = ranges[protocol].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let current: [number, number] | undefined;
    for (const range of sorted) {
      if (current && range[0] <= current[1] + 1) current[1] = Math.max(current[1], range[1]);
      else {
        if (current) result.push({ protocol, fromPort: current[0], toPort: current[1] });
        current = [range[0], range[1]];
      }
    }
    if (current) result.push({ protocol, fromPort: current[0], toPort: current[1] });
  }
  if (icmp) result.push({ protocol: "icmp" });
  return result;
}

export function compareServices(a: Service, b: Service): number {
  const byProtocol = PROTOCOL_ORDER[a.protocol] - PROTOCOL_ORDER[b.protocol];
  if (byProtocol !== 0) return byProtocol;
  if ("fromPort" in a && "fromPort" in b) return a.fromPort - b.fromPort || a.toPort - b.toPort;
  return 0;
}

/** Does the service set admit this protocol and port (port ignored for icmp)? */
export function servicesAdmit(
  services: readonly Service[],
  protocol: "tcp" | "udp" | "icmp",
  port = 0,
): boolean {
  return services.some(
    (s) =>
      s.protocol === "all" ||
      (s.protocol === "icmp" && protocol === "icmp") ||
      (s.protocol === protocol && "fromPort" in s && port >= s.fromPort && port <= s.toPort),
  );
}

/**
 * `all` spelled with the protocols a rule can name: what `all` becomes once something is taken out
 * of it. The other IP protocols (GRE, ESP…) have no form in the model or in every cloud's rules
 * (an AWS group would need one rule per protocol number), so a deny that cuts into `all` closes
 * them too: the result never admits more than the exact difference (docs/policy.md, "How deny
 * rules compile").
 */
const ALL_EXPLICIT: readonly Service[] = [
  { protocol: "tcp", fromPort: 1, toPort: 65535 },
  { protocol: "udp", fromPort: 1, toPort: 65535 },
  { protocol: "icmp" },
];

type PortRange = readonly [number, number];

/** One protocol's ranges of a canonical set, in order. */
function rangesOf(services: readonly Service[], protocol: "tcp" | "udp"): PortRange[] {
  return services.flatMap((s) => (s.protocol === protocol ? [[s.fromPort, s.toPort] as const] : []));
}

function isAll(services: readonly Service[]): boolean {
  return services.some((s) => s.protocol === "all");
}

/**
 * What `from` admits and `minus` does not, canonical. Exact on tcp, udp and icmp; `all` minus
 * anything but nothing or `all` is ALL_EXPLICIT minus it (so tcp/1-65535 minus tcp/22 is tcp/1-21
 * and tcp/23-65535).
 */
export function subtractServices(from: readonly Service[], minus: readonly Service[]): Service[] {
  if (minus.length === 0) return normalizeServices(from);
  if (isAll(minus)) return [];
  const left = isAll(from) ? ALL_EXPLICIT : normalizeServices(from);
  const right = normalizeServices(minus);
  const result: Service[] = [];
  for (const protocol of ["tcp", "udp"] as const) {
    for (const [fromPort, toPort] of subtractRanges(rangesOf(left, protocol), rangesOf(right, protocol)))
      result.push({ protocol, fromPort, toPort });
  }
  if (left.some((s) => s.protocol === "icmp") && !right.some((s) => s.protocol === "icmp"))
    result.push({ protocol: "icmp" });
  return normalizeServices(result);
}

/** What both sets admit, canonical. */
export function intersectServices(a: readonly Service[], b: readonly Service[]): Service[] {
  if (isAll(a)) return normalizeServices(b);
  if (isAll(b)) return normalizeServices(a);
  const result: Service[] = [];
  for (const protocol of ["tcp", "udp"] as const) {
    for (const [x0, x1] of rangesOf(a, protocol))
      for (const [y0, y1] of rangesOf(b, protocol)) {
        const low = Math.max(x0, y0);
        const high = Math.min(x1, y1);
        if (low <= high) result.push({ protocol, fromPort: low, toPort: high });
      }
  }
  if (a.some((s) => s.protocol === "icmp") && b.some((s) => s.protocol === "icmp"))
    result.push({ protocol: "icmp" });
  return normalizeServices(result);
}

/** Sorted disjoint ranges minus sorted disjoint ranges. */
function subtractRanges(left: readonly PortRange[], right: readonly PortRange[]): PortRange[] {
  const result: PortRange[] = [];
  for (const [start, end] of left) {
    let cursor = start;
    for (const [cutStart, cutEnd] of right) {
      if (cutEnd < cursor || cutStart > end) continue;
      if (cutStart > cursor) result.push([cursor, cutStart - 1]);
      cursor = cutEnd + 1;
      if (cursor > end) break;
    }
    if (cursor <= end) result.push([cursor, end]);
  }
  return result;
}
