// Usage: node --import tsx .tmp-exp/measure.ts <whole|deep|deep+clients|whole+clients>
import { OAuth2Client } from "google-auth-library";
const mode = process.argv[2];
const auth = new OAuth2Client();
const options = { apiEndpoint: "127.0.0.1", port: 1, protocol: "http", authClient: auth };
const start = performance.now();
if (mode === "whole" || mode === "whole+clients") {
  const compute = await import("@google-cloud/compute");
  if (mode === "whole+clients") {
    for (const C of [compute.InstancesClient, compute.FirewallsClient, compute.ZoneOperationsClient, compute.GlobalOperationsClient]) new C(options as never);
  }
} else if (mode === "deep") {
  const { importComputeModules } = await import("../lib/clouds/gcp/sdk-modules.js");
  await importComputeModules();
} else {
  const { loadComputeClients } = await import("../lib/clouds/gcp/sdk-clients.js");
  await loadComputeClients({ apiEndpoint: "127.0.0.1", port: 1, protocol: "http", authClient: auth });
}
console.log(Math.round(performance.now() - start));
