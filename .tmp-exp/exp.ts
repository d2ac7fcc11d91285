import { OAuth2Client } from "google-auth-library";
import { InstancesClient } from "@google-cloud/compute/build/src/v1/instances_client.js";
import { FirewallsClient } from "@google-cloud/compute/build/src/v1/firewalls_client.js";
import { GlobalOperationsClient } from "@google-cloud/compute/build/src/v1/global_operations_client.js";
import { startComputeFake } from "/work/main/test/support/compute-fake.ts";
import { inspect } from "node:util";

const fake = await startComputeFake({ project: "p1", token: "tok-SECRET", zones: ["us-a", "us-b", "eu-c"], instancesPageSize: 2 });
fake.addInstance({ zone: "us-a", name: "vm1", labels: { app: "web" }, tags: { items: ["a"] }, networkInterfaces: [{ network: "n", networkIP: "10.0.0.1", accessConfigs: [{ natIP: "1.2.3.4" }] }] });
fake.addInstance({ zone: "us-b", name: "vm2" });
fake.addInstance({ zone: "us-b", name: "vm3" });
const authClient = new OAuth2Client();
authClient.setCredentials({ access_token: "tok-SECRET", expiry_date: Date.now() + 3600_000 });
const opts = { apiEndpoint: "127.0.0.1", port: fake.port, protocol: "http", authClient };
const ic = new InstancesClient(opts as never);
const fc = new FirewallsClient(opts as never);
const go = new GlobalOperationsClient(opts as never);
for await (const [k, v] of ic.aggregatedListAsync({ project: "p1" }, { autoPaginate: false })) console.log(k, JSON.stringify(v));
const [inst] = await ic.get({ project: "p1", zone: "us-a", instance: "vm1" });
console.log(JSON.stringify(inst));
try { await ic.get({ project: "p1", zone: "us-a", instance: "nope" }); } catch (e) { const x = e as any; console.log("ERR", x.constructor.name, x.code, x.status, x.message, Object.keys(x)); console.log(inspect(x, {depth: 4}).includes("tok-SECRET")); console.log(JSON.stringify(x.response?.data)?.slice(0,300), x.errors, x.reason, x.statusDetails, x.details); }
try { await ic.setTags({ project: "p1", zone: "us-a", instance: "vm1", tagsResource: { items: ["x"], fingerprint: "bad" } }); } catch (e) { const x = e as any; console.log("ERR412", x.constructor.name, x.code, x.status, x.message); }
const r = await ic.setTags({ project: "p1", zone: "us-a", instance: "vm1", tagsResource: { items: ["x"], fingerprint: (inst.tags as any).fingerprint } });
console.log("setTags", JSON.stringify(r[0].latestResponse), r[0].name, r[1], r[2] === undefined);
const ins = await fc.insert({ project: "p1", firewallResource: { name: "fw1", network: "net", priority: 900, direction: "INGRESS", allowed: [{ IPProtocol: "tcp", ports: ["80"] }], sourceTags: [] } });
console.log("insert", JSON.stringify(ins[0].latestResponse));
console.log("req body", JSON.stringify(fake.requests.at(-1)));
const w = await go.wait({ project: "p1", operation: (ins[0].latestResponse as any).name });
console.log("wait", JSON.stringify(w[0]));
fake.failNext(1, "rateLimitExceeded");
try { await fc.delete({ project: "p1", firewall: "fw1" }); } catch (e) { const x = e as any; console.log("ERR403", x.constructor.name, x.code, x.status, x.message); }
fake.failNext(1, "tooManyRequests");
try { for await (const f of fc.listAsync({ project: "p1" }, { autoPaginate: false })) console.log(f); } catch (e) { const x = e as any; console.log("ERR429", x.constructor.name, x.code, x.status, x.message); }
await fake.stop();
