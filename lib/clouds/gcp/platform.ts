/**
 * Google's own addresses an instance must keep reaching when segsync enforces its egress
 * (docs/clouds.md, "GCP egress and platform addresses"). The metadata server (DHCP, DNS, instance
 * metadata, NTP) is always allowed whatever the firewall rules say, so it needs no rule; the
 * private.googleapis.com and restricted.googleapis.com VIPs of Private Google Access are filtered
 * by egress rules like any address, so segsync allows them explicitly, on the only protocols
 * they serve (HTTP and HTTPS over TCP).
 */
import type { FirewallProtocol } from "./model.js";

/** The metadata server: traffic to and from it is never filtered. */
export const METADATA_SERVER = "169.254.169.254";

/** restricted.googleapis.com, then private.googleapis.com (IPv4). */
export const GOOGLE_API_VIPS: readonly string[] = ["199.36.153.4/30", "199.36.153.8/30"];

/** What the VIPs serve: HTTP-based protocols over TCP. */
export const GOOGLE_API_PROTOCOLS: readonly FirewallProtocol[] = [
  { IPProtocol: "tcp", ports: ["80", "443"] },
];
