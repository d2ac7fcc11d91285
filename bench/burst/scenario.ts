/**
 * The launches of the burst section, in memory: `count` workloads spread round-robin over the
 * three clouds of examples/estate.yaml (AWS's production VPC, Azure's vnet-prod, GCP's prod-net),
 * labelled like scripts/burst-scenario.ts (two apps, four roles, all in prod), so that about half
 * of them fall in the example policy's enforced shop-prod scope. scripts/burst-scenario.ts makes
 * the committed 200-launch file; this one needs addresses for more than a /24 per cloud.
 */
import type { Step } from "../../sim/scenario.js";

const SUBSCRIPTION = "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f";
const APPS = ["shop", "blog"] as const;
const ROLES = ["web", "api", "db", "batch"] as const;
/** Hosts per third octet; the launches start at 10.x.20.1, clear of the estate's and the 200-launch burst's. */
const HOSTS = 250;
const FIRST_BLOCK = 20;
/** 16 blocks of 250 per cloud: far more than any burst the bench asks for. */
export const MAX_BURST_LAUNCHES = 3 * 16 * HOSTS;

function placement(cloud: number, n: number) {
  const address = `${FIRST_BLOCK + Math.floor(n / HOSTS)}.${1 + (n % HOSTS)}`;
  const number = String(n + 1).padStart(4, "0");
  if (cloud === 0)
    return {
      id: `aws:111111111111:us-east-1:i-0d${(n + 1).toString(16).padStart(15, "0")}`,
      network: "aws:111111111111:us-east-1:vpc-0a1b2c3d",
      privateIp: `10.1.${address}`,
    };
  if (cloud === 1)
    return {
      id: `azure:${SUBSCRIPTION}:rg-burst:vm-burst-${number}`,
      network: `azure:${SUBSCRIPTION}:rg-net:vnet-prod`,
      privateIp: `10.2.${address}`,
    };
  return {
    id: `gcp:shop-prod:us-central1-c:burst-${number}`,
    network: "gcp:shop-prod:prod-net",
    privateIp: `10.3.${address}`,
  };
}

/** `count` launch steps, AWS, Azure, GCP in turn. */
export function burstLaunches(count: number): Step[] {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_BURST_LAUNCHES)
    throw new RangeError(`a burst is 1 to ${MAX_BURST_LAUNCHES} launches, not ${count}`);
  return Array.from({ length: count }, (_, i) => {
    const n = Math.floor(i / 3);
    const tags = {
      "seg-app": APPS[n % APPS.length] ?? "shop",
      "seg-env": "prod",
      "seg-role": ROLES[Math.floor(i / 6) % ROLES.length] ?? "web",
      "seg-loc": "us",
    };
    return { launch: { ...placement(i % 3, n), tags } };
  });
}
